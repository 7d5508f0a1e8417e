# Two commands for users: `make run` and `make test`. Both build the environment from nothing.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed

.PHONY: venv browser run test lint typecheck index validate bench eval clean

venv: $(STAMP)

# torch is pinned to the CPU build first (constraints.txt): an unpinned torch pulls a multi-GB CUDA build.
$(STAMP): pyproject.toml constraints.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -c constraints.txt "$$(grep '^torch==' constraints.txt)"
	$(PIP) install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The Mini App's screenshot test drives Debian's chromium (a browser that downloads itself
# cannot install here); installed once, as root or through sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
browser:
	command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; }

run: venv
	$(PY) -m bot index --quiet
	$(PY) -m bot start

test: venv browser
	$(PY) -m ruff check bot tests benchmarks
	$(PY) -m ruff format --check bot tests benchmarks
	$(PY) -m mypy
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q

lint: venv
	$(PY) -m ruff check bot tests benchmarks
	$(PY) -m ruff format --check bot tests benchmarks

typecheck: venv
	$(PY) -m mypy

index: venv
	$(PY) -m bot index

validate: venv
	$(PY) -m bot validate

bench: venv
	$(PY) benchmarks/retrieval.py

eval: venv
	$(PY) ../shared/eval/score.py ../shared/eval/dev.jsonl --cmd "$(PY) -m bot ask --json --top-k 3"

clean:
	rm -rf $(VENV) data .mypy_cache .pytest_cache .ruff_cache

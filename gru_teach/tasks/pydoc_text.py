"""English text that ships with every Python: CPython's ``pydoc_data.topics`` (the help texts of ``help("if")``,
``help("FORMATTING")``...; about 465,000 characters in 79 topics with Python 3.11; the text changes a little
between Python versions).

For a character-level language model: whole topics go to train, validation or test (a held-out topic is new
text, not a shuffled copy of neighbouring lines), characters get ids from the training text, and the text is cut
into non-overlapping chunks of ``length + 1`` characters: input = the first ``length``, target = the same chunk
shifted by one. The baselines need no training: a unigram model (each character with its training frequency)
and a bigram model (the next character given the current one), both with add-one smoothing.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import Dataset

UNK_CHAR = "\x00"


def topics() -> dict[str, str]:
    """``{topic: text}`` from CPython's ``pydoc_data.topics`` (part of the standard library)."""
    try:
        from pydoc_data.topics import topics as data
    except ImportError as err:  # pragma: no cover - some distributions strip pydoc_data
        raise ImportError("this Python has no pydoc_data (some Linux distributions package it separately)") from err
    return dict(data)


class CharVocab:
    """Characters of the training text → ids (id 0 stands for any character the training text lacks)."""

    def __init__(self, text: str):
        self.chars = [UNK_CHAR] + sorted(set(text) - {UNK_CHAR})
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, text: str) -> np.ndarray:
        return np.array([self.index.get(c, 0) for c in text], dtype=np.int64)

    def decode(self, ids) -> str:
        return "".join(self.chars[int(i)] for i in ids)


class Chunks(Dataset):
    """Non-overlapping chunks of ``length + 1`` ids: item i is (ids[k : k+length], ids[k+1 : k+length+1])."""

    def __init__(self, ids: np.ndarray, length: int):
        if length < 1:
            raise ValueError(f"length must be ≥ 1; got {length}")
        n = (len(ids) - 1) // length
        if n < 1:
            raise ValueError(f"{len(ids)} characters make no chunk of {length} + 1")
        self.ids, self.length, self.n = torch.as_tensor(ids), length, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i):
        k = i * self.length
        return self.ids[k:k + self.length], self.ids[k + 1:k + self.length + 1]


@dataclass
class TextData:
    """Encoded train/validation/test text, the vocabulary and which topics went where."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    vocab: CharVocab
    split: dict

    def chunks(self, part: str, length: int) -> Chunks:
        if part not in ("train", "val", "test"):
            raise ValueError(f"part must be 'train', 'val' or 'test'; got {part!r}")
        return Chunks(getattr(self, part), length)


def text_data(*, fractions=(0.8, 0.1, 0.1), seed: int = 0, max_chars: int | None = None) -> TextData:
    """The topics split at random (seeded) into train/val/test by topic; ``max_chars`` truncates each part
    proportionally (for quick runs)."""
    from ..training.data import split_indices
    data = topics()
    names = sorted(data)
    parts = split_indices(len(names), fractions, seed=seed)
    texts = ["\n\n".join(data[names[i]] for i in sorted(p)) for p in parts]
    if max_chars is not None:
        total = sum(len(t) for t in texts)
        texts = [t[:max(2, int(max_chars * len(t) / total))] for t in texts]
    vocab = CharVocab(texts[0])
    return TextData(*(vocab.encode(t) for t in texts), vocab,
                    {k: [names[i] for i in sorted(p)] for k, p in zip(("train", "val", "test"), parts)})


def ngram_cross_entropy(train: np.ndarray, test: np.ndarray, vocab_size: int, order: int = 1) -> float:
    """Cross-entropy (nats per character) on ``test`` of a unigram (order 1) or bigram (order 2) character model
    estimated on ``train`` with add-one smoothing. exp() of it is the perplexity."""
    if order == 1:
        counts = np.bincount(train, minlength=vocab_size) + 1.0
        p = counts / counts.sum()
        return float(-np.mean(np.log(p[test])))
    if order == 2:
        counts = np.ones((vocab_size, vocab_size))
        np.add.at(counts, (train[:-1], train[1:]), 1.0)
        p = counts / counts.sum(axis=1, keepdims=True)
        return float(-np.mean(np.log(p[test[:-1], test[1:]])))
    raise ValueError(f"order must be 1 or 2; got {order}")

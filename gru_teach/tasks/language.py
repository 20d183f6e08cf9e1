"""Which language is this word? Labelled words from ``wordfreq``'s frequency lists (ships offline).

``wordfreq`` (Robyn Speer; code Apache-2.0, word lists CC BY-SA 4.0) ships, for each of about 40 languages, the
most frequent words of large multi-source corpora. The task: given a frequent word written in lower-case letters,
say whether it is English, German, French, Spanish, Italian or Dutch. A character-level GRU has to pick up
spelling patterns (``-ung``, ``-zione``, ``ij``, ``th``...).

The data, done carefully:

* words that are frequent in more than one of the chosen languages (``in``, ``die``, ``son``...) have no single
  right answer; they are removed from every language (:attr:`LanguageData.ambiguous` counts these word *types*,
  :attr:`LanguageData.ambiguous_entries` the list entries removed: a type is in two or more lists);
* only alphabetic words of 2–16 letters, so the label cannot be read off punctuation or digits (from wordfreq's
  ``"small"`` lists, which load fast and hold far more words than needed);
* a random split of the *word types* into train/validation/test (each word appears in one part only), seeded.

:func:`pad_and_sort` is the collate function for ``pack_padded_sequence``: pad to the longest word of the batch
with the padding id 0 and sort by length, longest first.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch.utils.data import Dataset

LANGUAGES = ("en", "de", "fr", "es", "it", "nl")
LANGUAGE_NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "nl": "Dutch"}
PAD, UNK = 0, 1


def word_lists(languages=LANGUAGES, per_language: int = 2000, *, min_length: int = 2, max_length: int = 16):
    """``{language: [words]}``: the ``per_language`` most frequent alphabetic words of each language, before
    removing ambiguous words (see :func:`language_data`)."""
    try:
        from wordfreq import top_n_list
    except ImportError as err:  # pragma: no cover - wordfreq is in requirements.txt
        raise ImportError("the word lists ship with wordfreq: pip install wordfreq") from err
    unknown = [lang for lang in languages if lang not in LANGUAGE_NAMES]
    if unknown:
        raise ValueError(f"unsupported language(s) {unknown}; expected codes from {sorted(LANGUAGE_NAMES)}")
    lists = {}
    for lang in languages:
        words = [w for w in top_n_list(lang, 4 * per_language, wordlist="small")
                 if w.isalpha() and min_length <= len(w) <= max_length]
        if len(words) < per_language:
            raise ValueError(f"wordfreq has only {len(words)} usable {lang} words; asked for {per_language}")
        lists[lang] = words[:per_language]
    return lists


class CharVocab:
    """Characters → ids: 0 is padding, 1 an unknown character, then the characters of the training words."""

    def __init__(self, words):
        chars = sorted({c for w in words for c in w})
        self.chars = ["<pad>", "<unk>"] + chars
        self.index = {c: i for i, c in enumerate(self.chars)}

    def __len__(self) -> int:
        return len(self.chars)

    def encode(self, word: str) -> list[int]:
        return [self.index.get(c, UNK) for c in word]

    def decode(self, ids) -> str:
        return "".join(self.chars[i] for i in ids if i != PAD)


class WordDataset(Dataset):
    """(character ids of a word, label) pairs."""

    def __init__(self, words, labels, vocab: CharVocab):
        if len(words) != len(labels):
            raise ValueError(f"got {len(words)} words but {len(labels)} labels")
        self.words, self.labels, self.vocab = list(words), np.asarray(labels), vocab
        self.ids = [torch.tensor(vocab.encode(w), dtype=torch.long) for w in self.words]

    def __len__(self) -> int:
        return len(self.words)

    def __getitem__(self, i):
        return self.ids[i], int(self.labels[i])


def pad_and_sort(batch):
    """Collate ``[(ids, label), ...]`` into ``((padded ids (B, T_max), lengths (B,)), labels (B,))``, sorted by
    length, longest first, as ``pack_padded_sequence(..., enforce_sorted=True)`` needs. Labels stay aligned."""
    if len(batch) == 0:
        raise ValueError("cannot collate an empty batch")
    order = sorted(range(len(batch)), key=lambda i: len(batch[i][0]), reverse=True)
    seqs = [torch.as_tensor(batch[i][0], dtype=torch.long) for i in order]
    lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
    if int(lengths[-1]) == 0:
        raise ValueError("a sequence of length 0 cannot be packed")
    padded = torch.nn.utils.rnn.pad_sequence(seqs, batch_first=True, padding_value=PAD)
    labels = torch.tensor([batch[i][1] for i in order])
    return (padded, lengths), labels


@dataclass
class LanguageData:
    """Train/validation/test :class:`WordDataset` s, the vocabulary, the languages (label i is
    ``languages[i]``), the number of ambiguous word types removed and the number of list entries that removed
    (each ambiguous type was in two or more languages' lists, so ``ambiguous_entries > ambiguous``)."""

    train: WordDataset
    val: WordDataset
    test: WordDataset
    vocab: CharVocab
    languages: tuple
    ambiguous: int
    ambiguous_entries: int = 0

    def class_counts(self) -> dict:
        """``{"train": counts, "val": counts, "test": counts}``: words per label in each split (int arrays)."""
        return {name: np.bincount(np.asarray(getattr(self, name).labels, dtype=int), minlength=len(self.languages))
                for name in ("train", "val", "test")}

    def majority_accuracy(self) -> float:
        """Test accuracy of always answering the most frequent training label (the trivial baseline)."""
        return self.constant_baselines()["majority"]

    def constant_baselines(self) -> dict:
        """What answers that ignore the word score on the test split.

        ``chance``: a uniformly random label, ``1 / len(languages)`` in expectation. ``majority``: always the label
        most frequent in *training* (``majority_label``), the usual trivial baseline; it can fall below chance
        when the random split leaves the class mix of train and test different, as it does here: the training's
        most frequent language can be rare in the test split. ``best_constant``: the best single answer in
        hindsight, the test split's most frequent label (``best_constant_label``); not a fair baseline (it looks
        at the test labels), but the ceiling of any constant answer. ``counts``: :meth:`class_counts`.
        """
        counts = self.class_counts()
        n_test = int(counts["test"].sum())
        if n_test == 0:
            raise ValueError("the test split is empty")
        major, best = int(counts["train"].argmax()), int(counts["test"].argmax())
        return {"chance": 1 / len(self.languages), "counts": counts,
                "majority_label": self.languages[major], "majority": float(counts["test"][major] / n_test),
                "best_constant_label": self.languages[best], "best_constant": float(counts["test"][best] / n_test)}


def language_data(languages=LANGUAGES, per_language: int = 2000, *, fractions=(0.8, 0.1, 0.1),
                  seed: int = 0) -> LanguageData:
    """Labelled words of ``languages`` without ambiguous words, split at random into train/val/test."""
    from ..training.data import split_indices
    lists = word_lists(languages, per_language)
    seen: dict[str, set] = {}
    for lang, words in lists.items():
        for w in words:
            seen.setdefault(w, set()).add(lang)
    ambiguous = {w for w, langs in seen.items() if len(langs) > 1}
    words, labels = [], []
    for label, lang in enumerate(languages):
        kept = [w for w in lists[lang] if w not in ambiguous]
        words += kept
        labels += [label] * len(kept)
    entries_removed = sum(len(ws) for ws in lists.values()) - len(words)
    parts = split_indices(len(words), fractions, seed=seed)
    vocab = CharVocab([words[i] for i in parts[0]])
    sets = [WordDataset([words[i] for i in p], [labels[i] for i in p], vocab) for p in parts]
    return LanguageData(*sets, vocab, tuple(languages), len(ambiguous), entries_removed)

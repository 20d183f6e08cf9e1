"""Recurrent models for text: a word classifier over packed character sequences, Keras's GRU with its dropout
semantics, the two Keras models of the popular posts translated layer by layer, and a character language model.

Variable-length batches: a batch of words is padded to its longest word, and ``pack_padded_sequence`` tells the
GRU each word's length, so the state read out for a word is the state after its *last real character*, not after
the padding. (Reading ``states[:, -1]`` of a padded batch is the classic bug; ``packed=False`` reproduces it.)
"""
from __future__ import annotations

import torch
from torch import nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from .normalisation import norm_layer


def _on_packed(fn, packed: PackedSequence) -> PackedSequence:
    """Apply a per-token function (normalisation, dropout) to the real tokens of a PackedSequence."""
    return PackedSequence(fn(packed.data), packed.batch_sizes, packed.sorted_indices, packed.unsorted_indices)


class WordClassifier(nn.Module):
    """Characters → [embedding] → (norm → GRU) × layers, dropout between layers → linear read-out of each
    word's last state.

    ``embed=None`` feeds one-hot characters (``vocab_size`` features), as a Keras GRU on feature vectors does.
    ``norm`` is ``"none"``, ``"batch"`` or ``"layer"`` (:func:`~gru_teach.training.normalisation.norm_layer`),
    applied to the real tokens only (the packed data), before each GRU layer. ``n_classes=1`` gives one logit per
    word (binary task, ``binary_cross_entropy_with_logits``), shape (batch,).
    """

    def __init__(self, vocab_size: int, n_classes: int, *, embed: int | None = 16, hidden: int = 64, layers: int = 2,
                 dropout: float = 0.0, norm: str = "none", packed: bool = True):
        super().__init__()
        if layers < 1:
            raise ValueError(f"layers must be ≥ 1; got {layers}")
        self.vocab_size, self.n_classes, self.packed = vocab_size, n_classes, packed
        self.embed = nn.Embedding(vocab_size, embed, padding_idx=0) if embed else None
        sizes = [embed or vocab_size] + [hidden] * layers
        self.norms = nn.ModuleList(norm_layer(norm, sizes[i]) for i in range(layers))
        self.grus = nn.ModuleList(nn.GRU(sizes[i], hidden, batch_first=True) for i in range(layers))
        self.drop = nn.Dropout(dropout)
        self.out = nn.Linear(hidden, n_classes)

    def features(self, ids):
        if self.embed is not None:
            return self.embed(ids)
        return nn.functional.one_hot(ids, self.vocab_size).to(self.out.weight.dtype)

    def forward(self, ids, lengths):
        x = self.features(ids)
        if not self.packed:                   # the bug, for comparison: the padding is read as characters
            for i, (norm, gru) in enumerate(zip(self.norms, self.grus)):
                x, _ = gru(norm(self.drop(x) if i else x))
            last = x[:, -1]
        else:
            seq = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=True)
            for i, (norm, gru) in enumerate(zip(self.norms, self.grus)):
                seq, h = gru(_on_packed(lambda d: norm(self.drop(d) if i else d), seq))
            last = h[0]                        # the state after each word's last real character
        logits = self.out(last)
        return logits.squeeze(-1) if self.n_classes == 1 else logits


@torch.no_grad()
def last_column_gaps(gru: nn.GRU, x, lengths) -> dict:
    """How far the last column ``states[:, -1]`` of a padded batch is from each sequence's true final state.

    ``x`` (batch, time, features) is padded on the right (each sequence's ``lengths[i]`` real steps first, padding
    vectors after them); ``gru`` is batch-first. The true final state is the one packing returns (the top layer's
    state after the last real step). Returns ``{"right": ..., "left": ...}``, each (batch,): the largest
    |difference| between that state and the last column of ``gru`` run over the batch as given (right padding)
    and with each sequence's padding moved in front of it (left padding). A sequence without padding has gap 0
    either way. With right padding the last column has also read the padding *after* the word; with left padding
    it is the state after the word's last real step, but the word started from wherever the padding read before
    it had moved the state (0 only if reading a padding vector leaves the zero state at zero).
    """
    if not gru.batch_first:
        raise ValueError("last_column_gaps expects a batch-first nn.GRU")
    T = x.shape[1]
    lengths = torch.as_tensor(lengths)
    if int(lengths.max()) > T or int(lengths.min()) < 1:
        raise ValueError(f"lengths must lie in 1..{T}; got {lengths.tolist()}")
    _, h = gru(pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False))
    true = h[-1]
    right = gru(x)[0][:, -1]
    left_x = torch.stack([torch.roll(xi, T - int(n), dims=0) for xi, n in zip(x, lengths)])
    left = gru(left_x)[0][:, -1]
    return {"right": (right - true).abs().amax(-1), "left": (left - true).abs().amax(-1)}


# ----------------------------------------------------------------------------------------------- Keras's GRU
class KerasGRU(nn.Module):
    """``keras.layers.GRU(hidden, dropout=p, recurrent_dropout=q, return_sequences=...)`` in PyTorch.

    Keras's default GRU (``reset_after=True``) computes the same function as ``torch.nn.GRU`` —
    h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃_t, the reset gate applied after the recurrent product — with its weights
    stored as ``kernel`` (I, 3H), ``recurrent_kernel`` (H, 3H) and ``bias`` (2, 3H) in gate order (z, r, h). So its
    parameter count is PyTorch's, 3H(I + H + 2). What PyTorch lacks is Keras's dropout *inside* the layer:

    * ``dropout=p``: the input x_t is multiplied by a Bernoulli(1 − p)/(1 − p) mask, one mask per gate, drawn once
      per sequence and reused at every time step;
    * ``recurrent_dropout=q``: the same for h_{t−1} where it enters the recurrent products (not in the final mix
      z ⊙ h_{t−1}), so the recurrent connection is thinned in the same way at every step (the "variational"
      dropout of Gal & Ghahramani, 2016).

    With masks the step has to be an explicit loop over time (Keras then also gives up cuDNN). In evaluation mode,
    or with p = q = 0, the fused ``nn.GRU`` runs. Input (batch, time, features) with lengths; output the state
    after each sequence's last real step (batch, hidden), or every state (batch, time, hidden, zeros at padding).
    """

    def __init__(self, input_size: int, hidden_size: int, *, dropout: float = 0.0, recurrent_dropout: float = 0.0,
                 return_sequences: bool = False):
        super().__init__()
        for name, p in (("dropout", dropout), ("recurrent_dropout", recurrent_dropout)):
            if not 0 <= p < 1:
                raise ValueError(f"{name} must be in [0, 1); got {p!r}")
        self.gru = nn.GRU(input_size, hidden_size, batch_first=True)
        self.dropout, self.recurrent_dropout, self.return_sequences = dropout, recurrent_dropout, return_sequences

    def forward(self, x, lengths):
        if self.training and (self.dropout > 0 or self.recurrent_dropout > 0):
            return self.loop(x, lengths, self._masks(x, self.dropout, x.shape[-1]),
                             self._masks(x, self.recurrent_dropout, self.gru.hidden_size))
        seq, h = self.gru(pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False))
        if not self.return_sequences:
            return h[0]
        return pad_packed_sequence(seq, batch_first=True, total_length=x.shape[1])[0]

    @staticmethod
    def _masks(x, p, size):
        """Three masks (r, z, n), each (batch, size): Bernoulli(1 − p) / (1 − p), or None when p = 0."""
        if p == 0:
            return None
        keep = torch.full((3, x.shape[0], size), 1 - p, dtype=x.dtype, device=x.device)
        return torch.bernoulli(keep) / (1 - p)

    def loop(self, x, lengths, input_masks=None, recurrent_masks=None):
        """The GRU step by step with optional per-gate masks on x_t and h_{t−1} (nn.GRU's weights and equations,
        PyTorch's gate order r, z, n); a sequence's state stops changing after its length."""
        W_ih, W_hh = self.gru.weight_ih_l0.chunk(3), self.gru.weight_hh_l0.chunk(3)
        b_ih, b_hh = self.gru.bias_ih_l0.chunk(3), self.gru.bias_hh_l0.chunk(3)
        gi = [nn.functional.linear(x if input_masks is None else x * input_masks[k][:, None], W_ih[k], b_ih[k])
              for k in range(3)]                                           # (batch, time, hidden) each
        h = x.new_zeros(x.shape[0], self.gru.hidden_size)
        lengths = lengths.to(x.device)
        outputs = []
        for t in range(x.shape[1]):
            hm = [h if recurrent_masks is None else h * recurrent_masks[k] for k in range(3)]
            r = torch.sigmoid(gi[0][:, t] + nn.functional.linear(hm[0], W_hh[0], b_hh[0]))
            z = torch.sigmoid(gi[1][:, t] + nn.functional.linear(hm[1], W_hh[1], b_hh[1]))
            n = torch.tanh(gi[2][:, t] + r * nn.functional.linear(hm[2], W_hh[2], b_hh[2]))
            active = (t < lengths)[:, None]
            h = torch.where(active, (1 - z) * n + z * h, h)
            outputs.append(torch.where(active, h, torch.zeros_like(h)))
        return torch.stack(outputs, 1) if self.return_sequences else h


class _RealTokenNorm(nn.Module):
    """A normalisation layer applied to the real (unpadded) positions of a (batch, time, features) tensor."""

    def __init__(self, kind: str, features: int):
        super().__init__()
        self.norm = norm_layer(kind, features)

    def forward(self, x, lengths):
        real = torch.arange(x.shape[1], device=x.device)[None, :] < lengths.to(x.device)[:, None]
        out = torch.zeros_like(x)
        out[real] = self.norm(x[real])
        return out


class KerasBinaryGRU(nn.Module):
    """The binary classifier of the popular post, layer by layer::

        model.add(GRU(128, input_shape=(timesteps, features)))       →  nn.GRU(features, 128) (last real state)
        model.add(Dense(1, activation='sigmoid'))                      →  nn.Linear(128, 1); the sigmoid lives in
        model.compile(loss='binary_crossentropy', optimizer='adam')        binary_cross_entropy_with_logits

    Characters enter as one-hot feature vectors (``features`` = vocabulary size).
    """

    def __init__(self, features: int, units: int = 128):
        super().__init__()
        self.features = features
        self.gru = KerasGRU(features, units)
        self.dense = nn.Linear(units, 1)

    def forward(self, ids, lengths):
        x = nn.functional.one_hot(ids, self.features).to(self.dense.weight.dtype)
        return self.dense(self.gru(x, lengths)).squeeze(-1)


class KerasStackedGRU(nn.Module):
    """The stacked text classifier of the popular post on training strategies, layer by layer::

        Embedding(vocab_size, embedding_dim)                       →  nn.Embedding(vocab_size, embedding_dim)
        BatchNormalization()                                       →  BatchNorm1d over batch and time (real tokens)
        GRU(units, return_sequences=True, dropout, recurrent_dropout) → KerasGRU(..., return_sequences=True)
        BatchNormalization()                                       →  BatchNorm1d
        GRU(units, dropout, recurrent_dropout)                     →  KerasGRU(...)
        Dense(num_classes, activation='softmax')                   →  nn.Linear (softmax inside cross_entropy)

    One deliberate difference: the post's model has no masking, so its GRUs and batch statistics also read the
    padding; here lengths are passed on, so both see the real characters only.
    """

    def __init__(self, vocab_size: int, embedding_dim: int, units: int, num_classes: int, *, dropout: float = 0.2,
                 recurrent_dropout: float = 0.2):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embedding_dim)
        self.norm1 = _RealTokenNorm("batch", embedding_dim)
        self.gru1 = KerasGRU(embedding_dim, units, dropout=dropout, recurrent_dropout=recurrent_dropout,
                             return_sequences=True)
        self.norm2 = _RealTokenNorm("batch", units)
        self.gru2 = KerasGRU(units, units, dropout=dropout, recurrent_dropout=recurrent_dropout)
        self.dense = nn.Linear(units, num_classes)

    def forward(self, ids, lengths):
        x = self.gru1(self.norm1(self.embedding(ids), lengths), lengths)
        return self.dense(self.gru2(self.norm2(x, lengths), lengths))


# ----------------------------------------------------------------------------------------------- parameter counts
def keras_gru_params(input_dim: int, units: int, reset_after: bool = True) -> int:
    """Keras GRU: kernel (I, 3H) + recurrent_kernel (H, 3H) + bias (2, 3H) with reset_after, else (3H,):
    3H(I + H + 2) or 3H(I + H + 1)."""
    return 3 * units * (input_dim + units + (2 if reset_after else 1))


def keras_dense_params(input_dim: int, units: int) -> int:
    """Keras Dense: kernel (I, U) + bias (U,)."""
    return input_dim * units + units


def keras_embedding_params(input_dim: int, output_dim: int) -> int:
    """Keras Embedding: one (input_dim, output_dim) matrix."""
    return input_dim * output_dim


def keras_batchnorm_params(features: int) -> tuple[int, int]:
    """Keras BatchNormalization: (trainable gamma, beta; non-trainable moving_mean, moving_variance) = (2F, 2F)."""
    return 2 * features, 2 * features


def parameter_table(model: nn.Module) -> list[dict]:
    """Layer by layer: what ``model.summary()`` of the Keras original reports (computed from Keras's weight
    shapes above) next to the PyTorch translation's counts (parameters; running statistics of BatchNorm)."""
    def torch_counts(module):
        params = sum(p.numel() for p in module.parameters())
        stats = sum(b.numel() for name, b in module.named_buffers() if name.endswith(("running_mean", "running_var")))
        return params, stats

    rows = []

    def add(layer, keras_trainable, keras_fixed, module):
        p, s = torch_counts(module)
        rows.append({"layer": layer, "keras_params": keras_trainable + keras_fixed, "keras_trainable": keras_trainable,
                     "torch_params": p, "torch_running_stats": s})

    if isinstance(model, KerasBinaryGRU):
        I, H = model.features, model.gru.gru.hidden_size
        add(f"GRU({H})", keras_gru_params(I, H), 0, model.gru)
        add("Dense(1, sigmoid)", keras_dense_params(H, 1), 0, model.dense)
    elif isinstance(model, KerasStackedGRU):
        V, E = model.embedding.num_embeddings, model.embedding.embedding_dim
        H, C = model.gru1.gru.hidden_size, model.dense.out_features
        add(f"Embedding({V}, {E})", keras_embedding_params(V, E), 0, model.embedding)
        add("BatchNormalization", *keras_batchnorm_params(E), model.norm1)
        add(f"GRU({H}, return_sequences=True)", keras_gru_params(E, H), 0, model.gru1)
        add("BatchNormalization", *keras_batchnorm_params(H), model.norm2)
        add(f"GRU({H})", keras_gru_params(H, H), 0, model.gru2)
        add(f"Dense({C}, softmax)", keras_dense_params(H, C), 0, model.dense)
    else:
        raise TypeError(f"parameter_table knows KerasBinaryGRU and KerasStackedGRU; got {type(model).__name__}")
    return rows


# ----------------------------------------------------------------------------------------------- language model
class CharLM(nn.Module):
    """Character language model: embedding → GRU → linear, logits for the next character at every position."""

    def __init__(self, vocab_size: int, *, embed: int = 32, hidden: int = 128, layers: int = 1, dropout: float = 0.0):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed)
        self.gru = nn.GRU(embed, hidden, num_layers=layers, batch_first=True, dropout=dropout if layers > 1 else 0.0)
        self.out = nn.Linear(hidden, vocab_size)

    def forward(self, ids, state=None, *, return_state: bool = False):
        seq, state = self.gru(self.embed(ids), state)
        logits = self.out(seq)
        return (logits, state) if return_state else logits


def sequence_cross_entropy(logits, target):
    """Mean cross-entropy over every position: logits (batch, time, vocab), target (batch, time)."""
    return nn.functional.cross_entropy(logits.reshape(-1, logits.shape[-1]), target.reshape(-1))


@torch.no_grad()
def sample(model: CharLM, vocab, prompt: str, length: int, temperature: float = 1.0, seed: int = 0) -> str:
    """Continue ``prompt`` by ``length`` characters drawn from softmax(logits / temperature) (temperature 0:
    always the most likely character)."""
    if temperature < 0:
        raise ValueError(f"temperature must be ≥ 0; got {temperature}")
    if not prompt:
        raise ValueError("the prompt must contain at least one character")
    was_training = model.training
    model.eval()
    device = next(model.parameters()).device
    gen = torch.Generator(device="cpu").manual_seed(seed)
    ids = torch.as_tensor(vocab.encode(prompt), device=device)[None]
    logits, state = model(ids, return_state=True)
    out = []
    for _ in range(length):
        last = logits[0, -1].float().cpu()
        if temperature == 0:
            nxt = int(last.argmax())
        else:
            nxt = int(torch.multinomial(torch.softmax(last / temperature, -1), 1, generator=gen))
        out.append(nxt)
        logits, state = model(torch.tensor([[nxt]], device=device), state, return_state=True)
    model.train(was_training)
    return prompt + vocab.decode(out)


def show_sample(text: str, width: int = 76) -> str:
    """A generated sample for printing: its ``repr`` (newlines and tabs visible as ``\\n``, ``\\t``) folded into
    lines of at most ``width`` characters, so that long samples stay inside a page's code box."""
    import textwrap
    return "\n".join(textwrap.wrap(repr(text), width, drop_whitespace=False, replace_whitespace=False))

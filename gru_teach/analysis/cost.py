"""What a recurrent layer costs: parameters, equal-budget hidden sizes, and work per token.

One layer of ``torch.nn.RNN``, ``nn.GRU`` or ``nn.LSTM`` with input size I and hidden size H holds G gate blocks
(G = 1, 3, 4), each with an (H, I) input matrix, an (H, H) recurrent matrix and two bias vectors::

    parameters = G · H · (I + H + 2)          RNN: H(I+H+2)   GRU: 3H(I+H+2)   LSTM: 4H(I+H+2)

A stacked layer reads the layer below, so its I is H (2H when bidirectional); a bidirectional layer has two such
sets. Per token, a layer does G·H·(I + H) multiply-adds in its matrix–vector products (the input projection and the
recurrent product) plus a few element-wise operations per unit (:data:`ELEMENTWISE`).

Comparing cells fairly means comparing them at the same **parameter budget**, not the same H:
:func:`equal_budget_hidden` finds the H whose model (layer + linear read-out) comes closest to a budget.
"""
from __future__ import annotations

from ..cells._validation import check_size

#: gate blocks per cell type, in torch's stacking order
GATE_BLOCKS = {"RNN": 1, "GRU": 3, "LSTM": 4}

#: element-wise work per hidden unit and token in the forward pass (torch's equations)
ELEMENTWISE = {
    "RNN": {"sigmoid": 0, "tanh": 1, "multiply": 0},     # h = tanh(a)
    "GRU": {"sigmoid": 2, "tanh": 1, "multiply": 2},     # r, z; n; r ⊙ h_n and z ⊙ (h − n)
    "LSTM": {"sigmoid": 3, "tanh": 2, "multiply": 3},    # i, f, o; g, tanh(c); f ⊙ c, i ⊙ g, o ⊙ tanh(c)
}


def gate_blocks(cell: str) -> int:
    """G for ``cell`` ("RNN", "GRU" or "LSTM")."""
    if cell not in GATE_BLOCKS:
        raise ValueError(f"cell must be one of {tuple(GATE_BLOCKS)}; got {cell!r}")
    return GATE_BLOCKS[cell]


def num_parameters(cell: str, input_size: int, hidden_size: int, *, num_layers: int = 1,
                   bidirectional: bool = False, bias: bool = True) -> int:
    """Parameters of ``torch.nn.<cell>(input_size, hidden_size, num_layers, bias, bidirectional)``.

    Layer l reads I_0 = input_size, then I_l = directions · H; each direction of each layer has
    G·H·(I_l + H + 2) parameters (G·H·(I_l + H) without biases).
    """
    G = gate_blocks(cell)
    I, H = check_size(input_size, "input_size"), check_size(hidden_size, "hidden_size")
    layers = check_size(num_layers, "num_layers")
    directions = 2 if bidirectional else 1
    total = 0
    for layer in range(layers):
        width = I if layer == 0 else directions * H
        total += directions * G * H * (width + H + (2 if bias else 0))
    return total


def readout_parameters(hidden_size: int, output_size: int, directions: int = 1) -> int:
    """A linear read-out ``nn.Linear(directions · H, O)``: directions·H·O weights and O biases."""
    H, O = check_size(hidden_size, "hidden_size"), check_size(output_size, "output_size")
    return directions * H * O + O


def model_parameters(cell: str, input_size: int, hidden_size: int, output_size: int) -> int:
    """One recurrent layer plus a linear read-out (the book's ``SequenceModel``)."""
    return num_parameters(cell, input_size, hidden_size) + readout_parameters(hidden_size, output_size)


def equal_budget_hidden(cell: str, budget: int, input_size: int, output_size: int) -> int:
    """The hidden size H whose model (:func:`model_parameters`) is closest to ``budget`` (ties: the smaller H)."""
    budget = check_size(budget, "budget")
    best, best_gap, H = 1, None, 1
    while True:
        gap = abs(model_parameters(cell, input_size, H, output_size) - budget)
        if best_gap is None or gap < best_gap:
            best, best_gap = H, gap
        elif model_parameters(cell, input_size, H, output_size) > budget:
            return best             # counts grow with H: past the budget, every further H is farther away
        H += 1


def equal_budget_sizes(budget: int, input_size: int, output_size: int, cells=("RNN", "GRU", "LSTM")) -> dict:
    """{cell: (H, parameters)} for each cell at the budget."""
    out = {}
    for cell in cells:
        H = equal_budget_hidden(cell, budget, input_size, output_size)
        out[cell] = (H, model_parameters(cell, input_size, H, output_size))
    return out


def multiply_adds_per_token(cell: str, input_size: int, hidden_size: int) -> int:
    """Multiply-adds of one layer's matrix–vector products per token: G·H·(I + H) (forward pass)."""
    G = gate_blocks(cell)
    I, H = check_size(input_size, "input_size"), check_size(hidden_size, "hidden_size")
    return G * H * (I + H)

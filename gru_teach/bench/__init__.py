"""Speed measurements: :mod:`.cpu` (NumPy GRU vs ``torch.nn.GRU``, chapter 3) and :mod:`.gpu` (fused cuDNN GRU
vs a cell loop, float32/bf16, chapter 5). Both write their results with provenance into :mod:`gru_teach.data`.
"""

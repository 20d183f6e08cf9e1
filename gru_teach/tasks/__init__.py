"""Tasks and data sets, all generated or shipped offline: synthetic long-dependency tasks and real data.

- :mod:`.synthetic`: the adding problem and copy memory, with their trivial baselines;
- :mod:`.digits`: scikit-learn's handwritten digits read row by row (and with the rows shuffled).
"""
from .digits import Split, digits_sequences, shuffle_rows
from .synthetic import (adding_baseline_mse, adding_constant_mse, adding_problem, adding_short_memory_mse,
                        copy_memory, copy_memory_baseline)

__all__ = ["Split", "adding_baseline_mse", "adding_constant_mse", "adding_problem", "adding_short_memory_mse",
           "copy_memory", "copy_memory_baseline", "digits_sequences", "shuffle_rows"]

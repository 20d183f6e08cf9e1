"""Tasks and data sets, all generated or shipped offline: synthetic long-dependency tasks and real data.

- :mod:`.synthetic`: the adding problem and copy memory, with their trivial baselines;
- :mod:`.digits`: scikit-learn's handwritten digits read row by row (or pixel by pixel, or with the rows shuffled);
- :mod:`.counting`: the counting languages aⁿbⁿ and aⁿbⁿcⁿ as next-symbol prediction.
"""
from .counting import (correct_strings, counting_batch, counting_string, counting_task, generalisation_limit,
                       next_symbol_targets)
from .digits import Split, digits_sequences, shuffle_rows
from .synthetic import (adding_baseline_mse, adding_constant_mse, adding_problem, adding_short_memory_mse,
                        copy_memory, copy_memory_baseline)

__all__ = ["Split", "adding_baseline_mse", "adding_constant_mse", "adding_problem", "adding_short_memory_mse",
           "copy_memory", "copy_memory_baseline", "correct_strings", "counting_batch", "counting_string",
           "counting_task", "digits_sequences", "generalisation_limit", "next_symbol_targets", "shuffle_rows"]

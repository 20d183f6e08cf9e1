"""Auto-checks for the chapters' exercises (one module per chapter); see :mod:`gru_teach.teaching.checking`."""

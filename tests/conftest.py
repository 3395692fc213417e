"""Test-session set-up shared by every test file."""

import os

# scikit-learn's array-API common check (with NumPy arrays) runs only when SciPy's
# array-API mode is on, and SciPy reads this variable once, when first imported.
os.environ.setdefault("SCIPY_ARRAY_API", "1")

"""attrdb: database-native visual attribute discovery with neural activations.

The DuckDB database is the public API (see docs/schema.md). This package holds the
Python steps (CNN inference, classifiers, saliency) and the runner for the SQL in ``sql/``.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("attrdb")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"

__all__ = ["__version__"]

"""Moved to tests/support/archive.py; kept for benchmarks/bench_site.py (``from archive import ...``).

Tests import ``support.archive``. Remove this file once the benchmarks do too.
"""

from support.archive import make_archive

__all__ = ["make_archive"]

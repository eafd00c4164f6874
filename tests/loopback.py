"""Moved to tests/support/loopback.py; kept for benchmarks/bench_feeds.py (``from loopback import Api``).

Tests import ``support.loopback``. Remove this file once the benchmarks do too.
"""

from support.loopback import API_KEY, MODELS, RANKINGS, Api

__all__ = ["API_KEY", "MODELS", "RANKINGS", "Api"]

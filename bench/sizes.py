"""How big the benchmarks run: full size for `make bench`, or, with BENCH_SMOKE=1, the smallest
sizes that still go through every path a benchmark measures.

The smoke sizes let tests/integration/test_benchmarks_run.py check in seconds that each script
still runs to the end and prints its figures. Figures from a smoke run say nothing about speed, so
bench/run.py neither keeps them nor judges them against the targets.
"""

import os

SMOKE = os.environ.get("BENCH_SMOKE") == "1"


def size(full, smoke):
    """`full` for a measurement; `smoke` for a check that the benchmark still runs."""
    return smoke if SMOKE else full

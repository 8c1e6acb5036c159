"""`make bench` still runs: every benchmark, at its smallest size (BENCH_SMOKE=1, bench/sizes.py),
runs to the end in a process of its own and prints the figures bench/run.py reads from it.

Nothing is timed and no target is judged: a smoke run's figures measure nothing. What is checked
is that each script finishes, and that its last line is JSON with exactly the figure names run.py
expects from it, each a finite number above zero (every figure is a rate, a ratio, a size or a
cost). The import and restore benchmarks start a moto server of their own on 127.0.0.1; the others
answer AWS in process (bench/aws_emulation.py).
"""

import importlib.util
import json
import math
import os
import signal
import subprocess
import sys

import pytest

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BENCH_DIR = os.path.join(PROJECT_DIR, "bench")
RESULTS_PATH = os.path.join(BENCH_DIR, "results.json")
SCRIPT_TIMEOUT_S = 180  # a hung script fails its test rather than the whole run
# run.py measures these itself rather than in a script of their own: its smoke run covers them
MEASURED_BY_RUN_PY = ("app_import_s",)
# Not in run.py's table (send_bench.py uses its newsletter), but runnable on its own
OUTSIDE_MAKE_BENCH = {"render_bench.py": ("render_per_s",)}


def _load_bench_run():
    sys.path.insert(0, BENCH_DIR)  # run.py imports its neighbours as `python bench/run.py` lets it
    try:
        spec = importlib.util.spec_from_file_location("bench_run", os.path.join(BENCH_DIR, "run.py"))
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(BENCH_DIR)


BENCH_RUN = _load_bench_run()
SCRIPTS = {script: tuple(name for name, _ in figures) for script, figures in BENCH_RUN.SCRIPT_FIGURES.items()}


def _smoke_environment() -> dict:
    """A developer's shell, not this test session's: the scripts set up every variable they need."""
    kept = {name: os.environ[name] for name in ("PATH", "HOME", "LANG", "TMPDIR") if name in os.environ}
    return {**kept, "BENCH_SMOKE": "1"}


def _printed_figures(arguments: list[str]) -> dict:
    """Run `python ARGUMENTS` from the project as `make bench` does; the JSON of its last line."""
    process = subprocess.Popen([sys.executable, *arguments], cwd=PROJECT_DIR, env=_smoke_environment(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        stdout, stderr = process.communicate(timeout=SCRIPT_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)  # with the moto server it may have started
        stdout, stderr = process.communicate()
        pytest.fail(f"{' '.join(arguments)} still ran after {SCRIPT_TIMEOUT_S} s:\n{stdout[-2000:]}\n{stderr[-3000:]}")
    assert process.returncode == 0, f"{' '.join(arguments)} failed:\n{stderr[-3000:]}"
    lines = stdout.strip().splitlines()
    assert lines, f"{' '.join(arguments)} printed nothing"
    try:
        return json.loads(lines[-1])
    except json.JSONDecodeError:
        pytest.fail(f"{' '.join(arguments)} did not end with a JSON line of figures:\n{stdout[-2000:]}")


def _assert_figures(figures: dict, expected: tuple[str, ...]) -> None:
    assert sorted(figures) == sorted(expected)
    for name, value in figures.items():
        assert isinstance(value, (int, float)) and not isinstance(value, bool), (name, value)
        assert math.isfinite(value) and value > 0, (name, value)


def test_every_benchmark_of_make_bench_has_a_smoke_run():
    # GIVEN the benchmarks `make bench` runs
    measured = set(BENCH_RUN.BENCHMARKS)
    # WHEN the scripts of run.py's table and run.py's own measurements are put together
    covered = {name for names in SCRIPTS.values() for name in names} | set(MEASURED_BY_RUN_PY)
    # THEN they are every benchmark: a new one is smoke-run by this file, or this check fails
    assert covered == measured


@pytest.mark.parametrize("script", sorted(SCRIPTS))
def test_benchmark_script_prints_its_figures_at_smoke_size(script):
    # GIVEN a benchmark script of run.py's table, at its smallest size
    # WHEN it runs in a process of its own, as run.py runs it
    figures = _printed_figures([os.path.join("bench", script)])
    # THEN its last line holds exactly the figures run.py reads from it, each a number above zero
    _assert_figures(figures, SCRIPTS[script])


@pytest.mark.parametrize("script", sorted(OUTSIDE_MAKE_BENCH))
def test_benchmark_outside_make_bench_prints_its_figures_at_smoke_size(script):
    # GIVEN a benchmark script that `make bench` leaves out, at its smallest size
    # WHEN it runs on its own
    figures = _printed_figures([os.path.join("bench", script)])
    # THEN it ends with its figures
    _assert_figures(figures, OUTSIDE_MAKE_BENCH[script])


def test_run_py_measures_its_own_benchmarks_at_smoke_size_and_keeps_no_result():
    # GIVEN the results of earlier full runs, if any
    kept_before = os.stat(RESULTS_PATH).st_mtime_ns if os.path.exists(RESULTS_PATH) else None
    # WHEN run.py measures, at its smallest size, the benchmarks it measures itself
    figures = _printed_figures([os.path.join("bench", "run.py"), *MEASURED_BY_RUN_PY])
    # THEN it prints their figures, and leaves the kept results as they were
    _assert_figures(figures, MEASURED_BY_RUN_PY)
    assert (os.stat(RESULTS_PATH).st_mtime_ns if os.path.exists(RESULTS_PATH) else None) == kept_before

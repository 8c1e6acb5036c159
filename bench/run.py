"""MailExpert's benchmarks: `make bench` runs each one, prints a table and keeps the numbers.

Every benchmark is a function registered in BENCHMARKS under the name of the number it returns,
with the target that number has to meet. Results go to `bench/results.json` as flat JSON
(name -> number), merged with what is already there, so benchmarks added by later work keep
their last results alongside. Exit status 1 if any target is missed.

BENCH_SMOKE=1 runs every benchmark at its smallest size (bench/sizes.py): a check that each still
runs to the end. Its figures are printed as one JSON line, neither kept nor judged.
"""

import functools
import json
import os
import statistics
import subprocess
import sys
from dataclasses import dataclass
from typing import Callable

from sizes import SMOKE, size

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RESULTS_PATH = os.path.join(PROJECT_DIR, "bench", "results.json")
CHALICE_CONFIG_PATH = os.path.join(PROJECT_DIR, ".chalice", "config.json")
MEASURED_STAGE = "dev"  # the deployed stage: what Lambda cold-starts
COLD_START_RUNS = size(3, smoke=1)


@dataclass(frozen=True)
class Target:
    """The bound a result must stay under (or, with `at_least`, reach)."""

    limit: float
    unit: str
    at_least: bool = False
    or_equal: bool = False  # with an upper bound: the limit itself still meets it

    def met_by(self, value: float) -> bool:
        if self.at_least:
            return value >= self.limit
        return value <= self.limit if self.or_equal else value < self.limit

    def __str__(self) -> str:
        return f"{'>=' if self.at_least else '<=' if self.or_equal else '<'} {self.limit:g} {self.unit}"


@dataclass(frozen=True)
class Benchmark:
    measure: Callable[[], float]
    target: Target


BENCHMARKS: dict[str, Benchmark] = {}


def benchmark(name: str, target: Target):
    """Register the decorated function as the benchmark that produces the result `name`."""

    def register(measure: Callable[[], float]) -> Callable[[], float]:
        BENCHMARKS[name] = Benchmark(measure, target)
        return measure

    return register


def lambda_environment(stage: str = MEASURED_STAGE) -> dict[str, str]:
    """The environment the app sees in Lambda: config.json's top level and stage variables, the
    buckets that the packaged template passes in through Globals, and tracing left on."""
    with open(CHALICE_CONFIG_PATH, encoding="utf-8") as file:
        config = json.load(file)
    environment = {name: value for name, value in os.environ.items()
                   if not name.startswith(("AWS_", "POWERTOOLS_")) and name != "STAGE"}
    environment.update(config.get("environment_variables", {}))
    environment.update(config["stages"][stage].get("environment_variables", {}))
    environment.update({
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_REGION": "eu-west-1",
        "ASSETS_BUCKET": "mailexpert-assets-123456789012-eu-west-1",
        "EXPORTS_BUCKET": "mailexpert-exports-123456789012-eu-west-1",
    })
    environment.pop("POWERTOOLS_TRACE_DISABLED", None)  # Lambda traces (config.json: "xray": true)
    return environment


# --- benchmarks ----------------------------------------------------------------------------------

IMPORT_APP = "import time; t = time.perf_counter(); import app; print(time.perf_counter() - t)"


@benchmark("app_import_s", Target(0.30, "s"))
def app_import_s() -> float:
    """Cold start: `import app` in a fresh interpreter, best of COLD_START_RUNS."""
    timings = []
    for _ in range(COLD_START_RUNS):
        completed = subprocess.run([sys.executable, "-c", IMPORT_APP], cwd=PROJECT_DIR, env=lambda_environment(),
                                   capture_output=True, text=True, check=False)
        if completed.returncode != 0:
            raise RuntimeError(f"import app failed:\n{completed.stderr}")
        timings.append(float(completed.stdout.strip().splitlines()[-1]))
    print(f"  app_import_s: runs {', '.join(f'{t:.3f}' for t in timings)} s; "
          f"best {min(timings):.3f} s, median {statistics.median(timings):.3f} s")
    return min(timings)


# --- running and reporting -----------------------------------------------------------------------

@functools.cache
def figures_of(script: str) -> dict[str, float]:
    """One run of a benchmark script of several figures, in a process of its own; it prints its
    breakdown, then the figures as one JSON line."""
    completed = subprocess.run([sys.executable, os.path.join(PROJECT_DIR, "bench", script)],
                               cwd=PROJECT_DIR, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"{script} failed:\n{completed.stderr[-3000:]}")
    lines = completed.stdout.strip().splitlines()
    print("\n".join(lines[:-1]))
    return json.loads(lines[-1])


SCRIPT_FIGURES = {
    "import_memory.py": (("import_peak_mb_1m", Target(200, "MB")),),
    "import_throughput.py": (("import_contacts_per_s", Target(2000, "contacts/s", at_least=True)),
                             ("ddb_bare_items_per_s", Target(0, "items/s", at_least=True)),
                             ("import_efficiency", Target(0.6, "of the bare rate", at_least=True)),
                             ("import_write_requests_per_1000", Target(40, "write requests", or_equal=True))),
    "send_bench.py": (("send_per_core_per_s", Target(2000, "recipients/CPU-s", at_least=True)),
                      ("ses_bare_calls_per_s", Target(0, "calls/CPU-s", at_least=True)),
                      ("ses_bare_bulk_mails_per_s", Target(0, "mails/CPU-s", at_least=True)),
                      ("send_efficiency", Target(0.65, "of the bare rate", at_least=True)),
                      ("send_with_30ms_latency_per_s", Target(1000, "recipients/s", at_least=True)),
                      ("fanout_per_core_per_s", Target(15000, "recipients/CPU-s", at_least=True)),
                      ("overhead_pct_of_ses_price", Target(1, "%", or_equal=True))),
    "notice_bench.py": (("notice_accounts_per_s", Target(300, "accounts/CPU-s", at_least=True)),
                        ("notice_bare_ses_calls_per_s", Target(0, "calls/CPU-s", at_least=True))),
    "restore_bench.py": (("restore_items_per_s", Target(1000, "items/s", at_least=True)),),
    "beacon_bench.py": (("beacon_events_per_s", Target(2000, "views/CPU-s", at_least=True)),
                        ("beacon_wru_per_view", Target(1.25, "WRU", or_equal=True)),
                        ("beacon_ddb_cost_per_million_views_usd", Target(1.0, "USD", or_equal=True))),
}
for _script, _figures in SCRIPT_FIGURES.items():
    for _name, _target in _figures:
        benchmark(_name, _target)(functools.partial(lambda script, name: figures_of(script)[name], _script, _name))


def load_results(path: str = RESULTS_PATH) -> dict[str, float]:
    try:
        with open(path, encoding="utf-8") as file:
            return json.load(file)
    except FileNotFoundError:
        return {}


def save_results(results: dict[str, float], path: str = RESULTS_PATH) -> None:
    merged = {**load_results(path), **results}
    with open(path + ".tmp", "w", encoding="utf-8") as file:
        json.dump(dict(sorted(merged.items())), file, indent=2)
        file.write("\n")
    os.replace(path + ".tmp", path)


def print_table(results: dict[str, float]) -> None:
    rows = [(name, f"{value:.4g}", str(BENCHMARKS[name].target),
             "yes" if BENCHMARKS[name].target.met_by(value) else "NO") for name, value in results.items()]
    header = ("benchmark", "value", "target", "met")
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}", file=sys.stderr)
        return 2
    results = {}
    for name in names or BENCHMARKS:
        print(f"running {name}", flush=True)
        results[name] = round(BENCHMARKS[name].measure(), 4)
    if SMOKE:
        print(f"\nsmoke run (BENCH_SMOKE=1): every benchmark ran to the end; at these sizes its figures "
              f"measure nothing, so {os.path.relpath(RESULTS_PATH)} is left as it was")
        print(json.dumps(results))
        return 0
    save_results(results)
    print()
    print_table(results)
    print(f"\nresults written to {os.path.relpath(RESULTS_PATH)}")
    return 0 if all(BENCHMARKS[name].target.met_by(value) for name, value in results.items()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

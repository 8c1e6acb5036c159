"""`python -m ops.package OUT_DIR [--stage dev]`: the deployable package, built from the hash lock.

`chalice package` bundles the dependencies it reads from the project's `requirements.txt` (a fixed
name), which lists only the direct dependencies, pinned. What the Lambda functions run must be
exactly `requirements.lock` (every package, transitive ones too, pinned with its hashes; `make
lock`), so the app is copied to a source directory of its own (app.py, chalicelib/, the Chalice
config and policies) with the lock as its `requirements.txt`, and packaged from there. pip then
downloads every dependency in hash-checking mode: a file whose hash is not in the lock stops the
package. (For a package whose first download does not run on Lambda, e.g. a wheel for a newer
glibc or another OS, Chalice fetches the Lambda platform's wheel again by exact name and version,
without hashes: the version is still the locked one, which tests/infrastructure checks.)

`make package` runs it (then cfn-lint); tests/infrastructure packages through it too.
"""

import argparse
import os
import shutil
import subprocess
import sys

PROJECT_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SOURCE_DIR = os.path.join(PROJECT_DIR, "build", "package-src")
RUNTIME_LOCK = "requirements.lock"
MERGE_TEMPLATE = os.path.join(PROJECT_DIR, "infra", "template.json")
_NOT_PACKAGED = shutil.ignore_patterns("__pycache__", "*.pyc", "deployments", ".DS_Store")


def stage_sources(source_dir: str) -> str:
    """Copy what Chalice packages into `source_dir`, the lock as its requirements.txt. Chalice's cache
    of built dependencies (`.chalice/deployments/`, keyed by the requirements' hash) is kept."""
    os.makedirs(os.path.join(source_dir, ".chalice"), exist_ok=True)
    for stale in ("app.py", "chalicelib", "requirements.txt"):
        path = os.path.join(source_dir, stale)
        if os.path.isdir(path):
            shutil.rmtree(path)
        elif os.path.exists(path):
            os.remove(path)
    shutil.copy2(os.path.join(PROJECT_DIR, "app.py"), source_dir)
    shutil.copytree(os.path.join(PROJECT_DIR, "chalicelib"), os.path.join(source_dir, "chalicelib"),
                    ignore=_NOT_PACKAGED)
    for name in os.listdir(os.path.join(PROJECT_DIR, ".chalice")):
        if name.endswith(".json"):
            shutil.copy2(os.path.join(PROJECT_DIR, ".chalice", name), os.path.join(source_dir, ".chalice", name))
    shutil.copy2(os.path.join(PROJECT_DIR, RUNTIME_LOCK), os.path.join(source_dir, "requirements.txt"))
    return source_dir


def package(out_dir: str, stage: str = "dev", source_dir: str = DEFAULT_SOURCE_DIR) -> subprocess.CompletedProcess:
    """`chalice package --merge-template infra/template.json` of the staged sources into `out_dir`."""
    stage_sources(source_dir)
    if os.path.exists(out_dir):
        shutil.rmtree(out_dir)
    chalice = os.path.join(os.path.dirname(sys.executable), "chalice")
    return subprocess.run(
        [chalice, "--project-dir", source_dir, "package", "--stage", stage, "--merge-template", MERGE_TEMPLATE,
         os.path.abspath(out_dir)],
        env={**os.environ, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION", "eu-west-1")},
        capture_output=True, text=True, check=False)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="ops.package", description=__doc__.split("\n", 1)[0])
    parser.add_argument("out_dir")
    parser.add_argument("--stage", default="dev")
    parser.add_argument("--source-dir", default=DEFAULT_SOURCE_DIR)
    args = parser.parse_args(argv)
    completed = package(args.out_dir, args.stage, args.source_dir)
    sys.stdout.write(completed.stdout)
    sys.stderr.write(completed.stderr)
    return completed.returncode


if __name__ == "__main__":
    sys.exit(main())

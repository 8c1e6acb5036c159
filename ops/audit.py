"""`python -m ops.audit LOCK... [--service pypi|osv]`: the dependency audit (P8), pip-audit on the hash locks.

Says one of three things, plainly, and exits with its own status:

- `clean` (exit 0): the vulnerability service answered for every locked package and knows no
  vulnerability in any of them;
- `VULNERABLE` (exit 1): it knows vulnerabilities in some; they are listed with the versions that fix them;
- `not checked: <reason>` (exit 3): the service could not be asked, or did not answer for every
  package. Never reported as clean: pip-audit itself says "No known vulnerabilities found" and
  exits 0 when PyPI answers "not found" for every package (it skips them), which is what a
  network without PyPI's JSON API gives.

The locks are audited as they are (`--disable-pip`: no install, the pins and hashes of the files),
both at once. `.ci/run` fails the build on exit 1 and reports exit 3 without failing it.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import requests

CLEAN, VULNERABLE, NOT_CHECKED = 0, 1, 3
PROBE_TIMEOUT_S = 15
SERVICES = {
    # what pip-audit asks each service, for one locked package: the same request, to see it answer
    "pypi": lambda name, version: ("GET", f"https://pypi.org/pypi/{name}/{version}/json", None),
    "osv": lambda name, version: ("POST", "https://api.osv.dev/v1/query",
                                  {"package": {"name": name, "ecosystem": "PyPI"}, "version": version}),
}


def locked_packages(paths) -> list[tuple[str, str]]:
    """(name, version) of every `name==version` line of the locks."""
    found = []
    for path in paths:
        with open(path, encoding="utf-8") as file:
            for line in file:
                requirement = line.split(";", 1)[0].split("\\", 1)[0].strip()
                if requirement and not requirement.startswith(("#", "-")) and "==" in requirement:
                    name, version = requirement.split("==", 1)
                    found.append((name.strip(), version.strip()))
    return found


def unreachable(service: str, name: str, version: str, session=requests) -> str | None:
    """Why the service cannot be asked about one locked package; None when it answers."""
    method, url, body = SERVICES[service](name, version)
    try:
        response = session.request(method, url, json=body, timeout=PROBE_TIMEOUT_S)
    except requests.RequestException as error:
        return f"the vulnerability service ({service}) cannot be reached: {type(error).__name__} for {url}"
    if response.status_code != 200:
        return (f"the vulnerability service ({service}) did not answer about {name} {version}: "
                f"HTTP {response.status_code} for {url}")
    return None


def verdict(report: dict, service: str) -> tuple[int, list[str]]:
    """The exit status and the lines to print, from pip-audit's JSON report."""
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    if vulnerable:
        lines = [f"{d['name']} {d['version']}: {v['id']}" + (f" (fixed in {', '.join(v['fix_versions'])})"
                                                            if v.get("fix_versions") else " (no fix yet)")
                 for d in vulnerable for v in d["vulns"]]
        lines.append(f"VULNERABLE: {len(vulnerable)} locked packages have known vulnerabilities ({service})")
        if skipped:
            lines.append(f"and {len(skipped)} packages were not checked")
        return VULNERABLE, lines
    if not dependencies:
        return NOT_CHECKED, ["not checked: pip-audit reported no packages at all"]
    if skipped:
        return NOT_CHECKED, [f"not checked: the vulnerability service ({service}) gave no answer for "
                             f"{len(skipped)} of {len(dependencies)} locked packages, e.g. {skipped[0]['skip_reason']}"]
    return CLEAN, [f"clean: {len(dependencies)} locked packages checked against {service}, "
                   "no known vulnerabilities"]


def audit(paths, service: str = "pypi", pip_audit: str | None = None) -> tuple[int, list[str]]:
    packages = locked_packages(paths)
    if not packages:
        return NOT_CHECKED, [f"not checked: no pinned packages in {', '.join(paths)}"]
    reason = unreachable(service, *packages[0])
    if reason:
        return NOT_CHECKED, [f"not checked: {reason}"]
    pip_audit = pip_audit or os.path.join(os.path.dirname(sys.executable), "pip-audit")
    with tempfile.TemporaryDirectory() as work:
        output = os.path.join(work, "report.json")
        command = [pip_audit, "--disable-pip", "--progress-spinner", "off", "--service", service,
                   "--format", "json", "--output", output]
        for path in paths:
            command += ["--requirement", path]
        completed = subprocess.run(command, capture_output=True, text=True, check=False)
        try:
            with open(output, encoding="utf-8") as file:
                report = json.load(file)
        except (OSError, ValueError):
            last = (completed.stderr.strip().splitlines() or ["no output"])[-1]
            return NOT_CHECKED, [f"not checked: pip-audit could not finish (exit {completed.returncode}): {last}"]
    return verdict(report, service)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="ops.audit", description=__doc__.split("\n", 1)[0])
    parser.add_argument("locks", nargs="+")
    parser.add_argument("--service", choices=sorted(SERVICES), default="pypi")
    args = parser.parse_args(argv)
    status, lines = audit(args.locks, args.service)
    for line in lines:
        print(line)
    return status


if __name__ == "__main__":
    sys.exit(main())

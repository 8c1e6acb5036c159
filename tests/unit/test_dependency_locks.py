"""The dependencies are locked with hashes (P8): requirements.lock (what the functions run) and
requirements-dev.lock (that, plus the tools), made by `make lock` from requirements*.txt."""

import os
import re

import pytest

from tests.conftest import PROJECT_DIR

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?==([^\s;\\]+)")


def _read(name: str) -> str:
    with open(os.path.join(PROJECT_DIR, name), encoding="utf-8") as file:
        return file.read()


def _requirements(text: str) -> dict[str, str]:
    return {_canonical(m.group(1)): m.group(3) for m in map(PIN.match, text.splitlines()) if m}


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _entries(text: str) -> list[str]:
    """The lock's requirements, each with its continuation lines (hashes)."""
    return [entry for entry in re.split(r"\n(?=\S)", text) if entry and not entry.startswith("#")]


@pytest.mark.parametrize("lock", ["requirements.lock", "requirements-dev.lock"])
def test_every_locked_package_is_pinned_with_a_hash(lock):
    # GIVEN the lock
    entries = _entries(_read(lock))
    assert entries
    # THEN each entry pins one exact version and carries the sha256 hashes pip checks
    assert [e.split("\n", 1)[0] for e in entries if not PIN.match(e)] == []
    assert [e.split("\n", 1)[0] for e in entries if "--hash=sha256:" not in e] == []


@pytest.mark.parametrize("requirements, lock", [("requirements.txt", "requirements.lock"),
                                                ("requirements-dev.txt", "requirements-dev.lock")])
def test_every_requirement_is_locked_at_its_pinned_version(requirements, lock):
    # GIVEN the requirements people edit, and the lock made from them
    wanted, locked = _requirements(_read(requirements)), _requirements(_read(lock))
    # THEN each is in the lock at the version it pins (else: `make lock`)
    assert {name: (version, locked.get(name)) for name, version in wanted.items() if locked.get(name) != version} == {}


def test_the_functions_run_the_versions_the_tests_run():
    # GIVEN both locks
    runtime, development = _requirements(_read("requirements.lock")), _requirements(_read("requirements-dev.lock"))
    # THEN every package the functions ship is in the development lock at the same version
    assert {name: (version, development.get(name)) for name, version in runtime.items()
            if development.get(name) != version} == {}


def test_the_virtualenv_is_installed_from_the_lock_with_hashes_checked():
    # GIVEN the Makefile that `make test` and `make run` go through
    makefile = _read("Makefile")
    stamp_rule = re.search(r"^\$\(STAMP\): (.*)\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    # THEN the virtualenv depends on the locks and installs the development lock in hash-checking mode
    assert stamp_rule, "no rule for the virtualenv stamp"
    assert stamp_rule.group(1).split() == ["$(LOCKS)"]
    assert "pip install --quiet --require-hashes -r requirements-dev.lock" in stamp_rule.group(2)
    assert re.search(r"^test: lock-check \$\(STAMP\)", makefile, re.MULTILINE)
    assert re.search(r"^run: lock-check \$\(STAMP\)", makefile, re.MULTILINE)

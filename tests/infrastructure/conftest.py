"""The deployable template, packaged once per test session as `make package` does: the `dev` stage
of app.py and .chalice/ through `chalice package --merge-template infra/template.json`, with the
hash lock as the requirements (ops/package.py)."""

import json
import os
import sys

import pytest

from tests.conftest import PROJECT_DIR

BIN_DIR = os.path.dirname(sys.executable)
PACKAGED_STAGE = "dev"


@pytest.fixture(scope="session")
def package_dir(tmp_path_factory):
    """GIVEN the project packaged for the dev stage, merged with infra/template.json."""
    from ops.package import package

    work = tmp_path_factory.mktemp("package")
    source_dir = work / "src"
    # Chalice's cache of built dependencies (keyed by the lock's hash) is shared with `make package`.
    cache = os.path.join(PROJECT_DIR, "build", "package-src", ".chalice", "deployments")
    os.makedirs(cache, exist_ok=True)
    os.makedirs(source_dir / ".chalice")
    os.symlink(cache, source_dir / ".chalice" / "deployments")
    completed = package(str(work / "out"), PACKAGED_STAGE, str(source_dir))
    assert completed.returncode == 0, f"chalice package failed:\n{completed.stdout}\n{completed.stderr}"
    return work / "out"


@pytest.fixture(scope="session")
def template(package_dir):
    with open(package_dir / "sam.json", encoding="utf-8") as file:
        return json.load(file)


def resources_of_type(template, resource_type):
    return {name: r for name, r in template["Resources"].items() if r.get("Type") == resource_type}


def functions(template):
    return resources_of_type(template, "AWS::Serverless::Function")

"""The deployable template, packaged once per test session as `make package` does: the `dev` stage
of app.py and .chalice/ through `chalice package --merge-template infra/template.json`."""

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import PROJECT_DIR

BIN_DIR = os.path.dirname(sys.executable)
PACKAGED_STAGE = "dev"


@pytest.fixture(scope="session")
def package_dir(tmp_path_factory):
    """GIVEN the project packaged for the dev stage, merged with infra/template.json."""
    output = tmp_path_factory.mktemp("package") / "out"
    completed = subprocess.run(
        [os.path.join(BIN_DIR, "chalice"), "package", "--stage", PACKAGED_STAGE,
         "--merge-template", os.path.join("infra", "template.json"), str(output)],
        cwd=PROJECT_DIR, env={**os.environ, "AWS_DEFAULT_REGION": "eu-west-1"},
        capture_output=True, text=True, check=False)
    assert completed.returncode == 0, f"chalice package failed:\n{completed.stdout}\n{completed.stderr}"
    return output


@pytest.fixture(scope="session")
def template(package_dir):
    with open(package_dir / "sam.json", encoding="utf-8") as file:
        return json.load(file)


def resources_of_type(template, resource_type):
    return {name: r for name, r in template["Resources"].items() if r.get("Type") == resource_type}


def functions(template):
    return resources_of_type(template, "AWS::Serverless::Function")

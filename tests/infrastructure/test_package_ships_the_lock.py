"""The Lambda deployment package holds exactly the locked runtime dependencies (requirements.lock),
not whatever versions the direct pins of requirements.txt would resolve to today."""

import re
import zipfile

from tests.unit.test_dependency_locks import _canonical, _read, _requirements


def test_deployment_zip_holds_exactly_the_locked_versions(package_dir):
    # GIVEN the deployment zip that `make package` builds, and the runtime lock
    with zipfile.ZipFile(package_dir / "deployment.zip") as bundle:
        names = bundle.namelist()
    shipped = {}
    for name in names:
        found = re.match(r"^([^/]+)-([^-/]+)\.dist-info/METADATA$", name)
        if found:
            shipped[_canonical(found.group(1))] = found.group(2)
    locked = {name: version for name, version in _requirements(_read("requirements.lock")).items()
              if name not in _NOT_ON_LINUX}
    # THEN each package in it is locked at that version, and each locked package is in it
    assert {name: (version, locked.get(name)) for name, version in shipped.items() if locked.get(name) != version} == {}
    assert sorted(set(locked) - set(shipped)) == []


_NOT_ON_LINUX = {"colorama", "pywin32", "ansicon"}  # locked with a marker for Windows only

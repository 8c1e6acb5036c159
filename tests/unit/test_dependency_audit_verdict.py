"""`make audit` (ops/audit.py) says clean only when the vulnerability service answered for every
locked package; vulnerabilities fail it; anything short of a full answer is "not checked"."""

import requests

from ops.audit import CLEAN, NOT_CHECKED, VULNERABLE, locked_packages, unreachable, verdict


def test_every_package_answered_without_vulnerabilities_is_clean():
    # GIVEN pip-audit's report where the service answered for both packages, with nothing found
    report = {"dependencies": [{"name": "jinja2", "version": "3.1.6", "vulns": []},
                               {"name": "pillow", "version": "12.3.0", "vulns": []}]}
    # WHEN the verdict is made
    status, lines = verdict(report, "pypi")
    # THEN it is clean, and says against what
    assert status == CLEAN
    assert lines == ["clean: 2 locked packages checked against pypi, no known vulnerabilities"]


def test_a_known_vulnerability_fails_with_the_fix():
    # GIVEN a report with one vulnerable package (and one the service did not know)
    report = {"dependencies": [
        {"name": "jinja2", "version": "3.1.4", "vulns": [{"id": "GHSA-q2x7-8rv6-6q7h", "fix_versions": ["3.1.5"]}]},
        {"name": "private-pkg", "skip_reason": "Dependency not found on PyPI"}]}
    # WHEN the verdict is made
    status, lines = verdict(report, "pypi")
    # THEN it is vulnerable, naming the package, the advisory and the fixed version
    assert status == VULNERABLE
    assert lines[0] == "jinja2 3.1.4: GHSA-q2x7-8rv6-6q7h (fixed in 3.1.5)"
    assert any(line.startswith("VULNERABLE") for line in lines)


def test_packages_the_service_did_not_answer_for_are_not_checked_never_clean():
    # GIVEN the report pip-audit writes (and calls "No known vulnerabilities found") when PyPI's
    # JSON API answers 404 for the packages: every one skipped
    report = {"dependencies": [{"name": "jinja2", "skip_reason": "Dependency not found on PyPI and could not be "
                                                                 "audited: jinja2 (3.1.6)"},
                               {"name": "pillow", "version": "12.3.0", "vulns": []}]}
    # WHEN the verdict is made
    status, lines = verdict(report, "pypi")
    # THEN it is "not checked", with the reason, and nowhere "clean"
    assert status == NOT_CHECKED
    assert lines[0].startswith("not checked: ") and "1 of 2" in lines[0]
    assert not any("clean" in line for line in lines)
    assert verdict({"dependencies": []}, "pypi")[0] == NOT_CHECKED


class _Session:
    def __init__(self, status=200, error=None):
        self.status, self.error, self.asked = status, error, []

    def request(self, method, url, json=None, timeout=None):
        self.asked.append((method, url))
        if self.error:
            raise self.error
        return type("Response", (), {"status_code": self.status})()


def test_the_service_is_asked_what_pip_audit_asks_and_an_unreachable_one_is_named():
    # GIVEN PyPI answering, refusing, or not reachable
    answering, refusing = _Session(200), _Session(404)
    offline = _Session(error=requests.ConnectionError("no route to host"))
    # WHEN the service is probed for a locked package
    # THEN only the answering one passes; the others give a reason naming the service and the address
    assert unreachable("pypi", "jinja2", "3.1.6", answering) is None
    assert answering.asked == [("GET", "https://pypi.org/pypi/jinja2/3.1.6/json")]
    assert "HTTP 404" in unreachable("pypi", "jinja2", "3.1.6", refusing)
    assert "cannot be reached: ConnectionError" in unreachable("osv", "jinja2", "3.1.6", offline)


def test_locked_packages_are_read_with_markers_and_hashes(tmp_path):
    # GIVEN a lock as `make lock` writes it
    lock = tmp_path / "requirements.lock"
    lock.write_text("# inputs sha256: abc\njinja2==3.1.6 \\\n    --hash=sha256:aa\n    # via -r requirements.txt\n"
                    "pycparser==3.12 ; implementation_name != 'PyPy' \\\n    --hash=sha256:bb\n", encoding="utf-8")
    # THEN every pin is found, name and version
    assert locked_packages([str(lock)]) == [("jinja2", "3.1.6"), ("pycparser", "3.12")]

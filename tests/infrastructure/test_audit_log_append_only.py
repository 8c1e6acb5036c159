"""P11: the audit log is append-only: no code path updates or deletes an entry, and neither the
infrastructure nor any function's IAM policy allows it."""

import glob
import json
import os
import re

from tests.conftest import PROJECT_DIR

CHANGING_ACTIONS = {"dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem", "dynamodb:PartiQLUpdate",
                    "dynamodb:PartiQLDelete"}


def test_the_table_denies_updates_and_deletes_to_everyone():
    template = json.load(open(os.path.join(PROJECT_DIR, "infra", "template.json")))
    [statement] = template["Resources"]["AuditLogTable"]["Properties"]["ResourcePolicy"]["PolicyDocument"]["Statement"]
    assert statement["Effect"] == "Deny" and statement["Principal"] == "*"
    assert CHANGING_ACTIONS <= set(statement["Action"])


def test_no_function_may_change_or_delete_audit_entries():
    for path in glob.glob(os.path.join(PROJECT_DIR, ".chalice", "policy-*.json")):
        for statement in json.load(open(path))["Statement"]:
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            if any("audit-log" in r or r == "*" for r in resources):
                assert not (set(statement["Action"]) & CHANGING_ACTIONS), (path, statement["Sid"])


def test_no_code_updates_or_deletes_an_audit_entry():
    code = open(os.path.join(PROJECT_DIR, "chalicelib", "accounts", "audit.py")).read()
    assert ".update(" not in code and ".delete(" not in code and "batch_write" not in code
    for path in glob.glob(os.path.join(PROJECT_DIR, "chalicelib", "**", "*.py"), recursive=True):
        if path.endswith("audit.py") or path.endswith("models.py"):
            continue
        assert "AuditEntryModel" not in open(path).read(), path


def test_staff_is_set_only_by_the_command_line_step():
    setters = []
    for path in glob.glob(os.path.join(PROJECT_DIR, "**", "*.py"), recursive=True):
        if "/.venv/" in path or "/tests/" in path:
            continue
        if re.search(r"\.staff\s*=", open(path).read()):
            setters.append(os.path.relpath(path, PROJECT_DIR))
    assert setters == ["ops/staff.py"]

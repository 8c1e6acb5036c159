"""P12 in IAM: the API function may Scan the accounts table only for the attributes partner statistics
read (the key, plan, country, standing), never a name, address or credential; no other Scan at all."""

import json
import os

from chalicelib.accounts.repository import STATISTICS_ATTRIBUTES
from tests.conftest import PROJECT_DIR

PERSONAL = {"email", "name", "phone", "street", "postcode", "city", "company_name", "coc_number", "vat_number",
            "website", "password_hash", "totp_secret", "recovery_code_hashes"}


def _statements(policy_file):
    with open(os.path.join(PROJECT_DIR, ".chalice", policy_file), encoding="utf-8") as file:
        return json.load(file)["Statement"]


def test_api_scans_the_accounts_table_only_for_non_personal_attributes():
    # GIVEN the API function's policy WHEN we find what allows a Scan
    scans = [s for s in _statements("policy-api.json") if s["Effect"] == "Allow"
             and any(action in ("dynamodb:Scan", "dynamodb:*") for action in s["Action"])]
    # THEN one statement does: on the accounts table, for the statistics' attributes, which the
    # scan must ask for by name
    [statement] = scans
    assert statement["Resource"] == ["arn:aws:dynamodb:*:*:table/mailexpert-accounts"]
    allowed = statement["Condition"]["ForAllValues:StringEquals"]["dynamodb:Attributes"]
    assert set(allowed) == set(STATISTICS_ATTRIBUTES)
    assert not set(allowed) & PERSONAL
    assert statement["Condition"]["StringEquals"]["dynamodb:Select"] == "SPECIFIC_ATTRIBUTES"

"""An import's report (CSV) speaks the account holder's language: its header and each row's outcome,
not only its reasons."""

import csv
import io

import pytest

from chalicelib.composition import services
from tests.integration.audience_helpers import EXPORTS_BUCKET, account_with_list, import_file

CSV = b"email,first_name\nimport1@example.com,Ina\nniet-een-adres,Fout\n"
EXPECTED = {"nl": (["regel", "e-mailadres", "resultaat", "reden"], {"geïmporteerd", "overgeslagen"}),
            "en": (["line", "email", "outcome", "reason"], {"imported", "skipped"})}


@pytest.mark.parametrize("language", sorted(EXPECTED))
def test_import_report_header_and_outcomes_are_in_the_account_language(client, app_module, aws_resources, outbox,
                                                                       language):
    # GIVEN an account holder reading this language, with a list
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    account = services().accounts.by_email("anna@example.nl")
    account.language = language
    services().accounts.save(account)
    # WHEN a file with a good and a bad row is imported
    done, _ = import_file(client, app_module, aws_resources, cookie, csrf, list_id, CSV)
    report_key = services().contact_imports.get(account, done["import_id"]).report_key
    body = aws_resources.client("s3").get_object(Bucket=EXPORTS_BUCKET, Key=report_key)["Body"].read().decode()
    rows = list(csv.reader(io.StringIO(body)))
    # THEN the header and the outcomes are in that language
    header, outcomes = EXPECTED[language]
    assert rows[0] == header
    assert {row[2] for row in rows[1:]} == outcomes

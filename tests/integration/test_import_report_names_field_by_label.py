"""The import report names a custom field the way its owner wrote it (its label), not by its key."""

import csv
import io
from types import SimpleNamespace

EXPORTS_BUCKET = "mailexpert-exports-123456789012-eu-west-1"


def test_report_names_the_left_out_field_by_its_label_in_the_accounts_language(aws_resources):
    from chalicelib.composition import services

    # GIVEN a Dutch account with a date field labelled "Datum eerste bezoek" (key datum_eerste_bezoek)
    account = SimpleNamespace(account_id="acc-label", email="owner@example.nl", may_send=True, language="nl",
                              company_name="Bakkerij", name="B")
    field = services().custom_fields.create(account, "Datum eerste bezoek", "date")
    assert field.key != field.label
    audience_list = services().audience_service.create_list(account, SimpleNamespace(name="Klanten", description=None))
    imports, s3 = services().contact_imports, aws_resources.client("s3")
    imported, form = imports.begin(account, audience_list.list_id, "klanten.csv")
    s3.put_object(Bucket=EXPORTS_BUCKET, Key=form["fields"]["key"],
                  Body=f"email,{field.key}\nanna@example.com,31-02-1990\n".encode())
    imported = imports.file_received(account, imported.import_id)
    # WHEN a file with an impossible date in that field is imported
    imports.start(account, imported.import_id, imported.mapping, True, "Winkelbalie", None, None)
    done = imports.run(account.account_id, imported.import_id, "nl")
    # THEN the report's reason, in Dutch, names the field by its label
    report = s3.get_object(Bucket=EXPORTS_BUCKET, Key=done.report_key)["Body"].read().decode()
    reason = list(csv.reader(io.StringIO(report)))[1][3]
    assert reason.startswith("Veld Datum eerste bezoek weggelaten: "), reason
    assert field.key not in reason

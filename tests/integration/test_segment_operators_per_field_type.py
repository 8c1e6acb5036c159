"""The new-segment form offers each condition only the comparisons its field's type takes (text,
number, date, yes/no, tags, date subscribed), starts without empty rows, and the server refuses
a comparison that does not fit its field, on the form and through the API alike."""

import json
import re

from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list

ENGLISH = {"Accept-Language": "en"}
FIELDS = {"City": "text", "Age": "number", "Birthday": "date", "Member": "boolean"}
EXPECTED = {
    "field:city": ["equals", "not_equals", "contains", "starts_with", "is_set", "is_not_set"],
    "first_name": ["equals", "not_equals", "contains", "starts_with", "is_set", "is_not_set"],
    "field:age": ["equals", "greater_than", "less_than", "is_set", "is_not_set"],
    "field:birthday": ["before", "after", "on", "is_set", "is_not_set"],
    "field:member": ["is_true", "is_false"],
    "tag": ["has", "has_not"],
    "subscribed_since": ["before", "after"],
}


def _account_with_fields(client, app_module, aws_resources, outbox):
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    headers = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json", **ENGLISH}
    for label, field_type in FIELDS.items():
        created = client.post("/api/v1/fields", headers=headers,
                              body=json.dumps({"label": label, "field_type": field_type}).encode())
        assert created.status_code == 201, created.body
    return cookie, csrf, list_id, headers


def _offered(page: str, row: int) -> list[str]:
    select = page.split(f'name="condition_{row}_op"', 1)[1].split("</select>", 1)[0]
    return re.findall(r'<option value="([a-z_]+)"', select)


def test_each_added_condition_offers_only_its_types_comparisons(client, app_module, aws_resources, outbox):
    # GIVEN an account with a text, number, date and yes/no field, and the new-segment form
    cookie, csrf, list_id, _ = _account_with_fields(client, app_module, aws_resources, outbox)
    form = {"csrf_token": csrf, "name": "", "match": "all"}
    page = client.get(f"/lists/{list_id}/segments", headers={"Cookie": cookie, **ENGLISH}).body.decode()
    assert "condition_0_field" not in page and 'name="add_field"' in page
    # WHEN a condition is added for each kind of field, one after the other, without scripts
    for field_name in EXPECTED:
        response = post_form(client, f"/lists/{list_id}/segments", {**form, "action": "add", "add_field": field_name},
                             cookie=cookie, headers=ENGLISH)
        assert response.status_code == 200, response.body
        page = response.body.decode()
        form = {name: value for name, value in re.findall(r'<input[^>]* name="([^"]+)"[^>]* value="([^"]*)"', page)}
        form.update({f"condition_{row}_op": _offered(page, row)[0] for row in range(len(EXPECTED))
                     if f'name="condition_{row}_op"' in page})
    # THEN each row offers exactly the comparisons of its field's type, and nothing was saved
    rows = {form[f"condition_{row}_field"]: _offered(page, row) for row in range(len(EXPECTED))}
    assert rows == EXPECTED
    assert 'name="condition_5_value"' in page and 'name="condition_4_value"' not in page  # yes/no takes none
    assert "No segments yet." in page


def test_a_row_can_be_removed_and_a_condition_needs_a_field(client, app_module, aws_resources, outbox):
    # GIVEN a form with two conditions
    cookie, csrf, list_id, _ = _account_with_fields(client, app_module, aws_resources, outbox)
    form = {"csrf_token": csrf, "name": "Twee", "match": "all", "condition_0_field": "field:city",
            "condition_0_op": "equals", "condition_0_value": "Utrecht", "condition_1_field": "tag",
            "condition_1_op": "has", "condition_1_value": "vip"}
    # WHEN the first is removed, and a condition is added without choosing its field
    removed = post_form(client, f"/lists/{list_id}/segments", {**form, "remove": "0"}, cookie=cookie, headers=ENGLISH)
    no_field = post_form(client, f"/lists/{list_id}/segments", {**form, "action": "add", "add_field": ""},
                         cookie=cookie, headers=ENGLISH)
    # THEN the other row stays as typed; adding without a field is refused beside the field chooser
    body = removed.body.decode()
    assert removed.status_code == 200 and "condition_0_field" not in body
    assert 'name="condition_1_value" type="text" value="vip"' in body
    assert no_field.status_code == 422
    assert 'id="add_field-error">Choose the field of the new condition.<' in no_field.body.decode()


def test_a_comparison_that_does_not_fit_its_field_is_refused(client, app_module, aws_resources, outbox):
    # GIVEN an account with typed fields
    cookie, csrf, list_id, headers = _account_with_fields(client, app_module, aws_resources, outbox)
    # WHEN the form sends "contains" for a number, and the API "equals" for yes/no and "before" for tags
    page = post_form(client, f"/lists/{list_id}/segments", {
        "csrf_token": csrf, "name": "Fout", "match": "all", "condition_0_field": "field:age",
        "condition_0_op": "contains", "condition_0_value": "4"}, cookie=cookie, headers=ENGLISH)
    api = client.post(f"/api/v1/lists/{list_id}/segments", headers=headers, body=json.dumps(
        {"name": "Fout", "conditions": [{"field": "field:member", "op": "equals", "value": "ja"},
                                        {"field": "tag", "op": "before", "value": "2024-01-01"},
                                        {"field": "field:birthday", "op": "greater_than", "value": "2024-01-01"}]}
    ).encode())
    # THEN both answer 422 naming the comparison, and no segment is saved
    assert page.status_code == 422
    body = page.body.decode()
    assert 'id="condition_0_op" name="condition_0_op" aria-invalid="true"' in body
    assert 'id="condition_0_op-error">This comparison does not fit this field.<' in body
    assert '<option value="contains"' not in body.split('name="condition_0_op"', 1)[1].split("</select>", 1)[0]
    assert api.status_code == 422
    problems = {e["field"]: e["message"] for e in json.loads(api.body)["errors"]}
    assert problems == {f"conditions.{n}.op": "This comparison does not fit this field." for n in range(3)}
    assert json.loads(client.get(f"/api/v1/lists/{list_id}/segments", headers=headers).body) == []

"""A form that comes back with errors keeps the checkboxes as they were sent (issue 15): an unticked
box is not ticked again behind the account holder's back, a ticked one stays ticked."""

import re

import pytest

from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list


def _ticked(body: str, name: str) -> bool:
    tag = re.search(rf'<input type="checkbox" name="{name}"[^>]*>', body).group(0)
    return " checked" in tag


@pytest.mark.parametrize("ticked", [True, False])
def test_add_contact_form_keeps_the_confirmation_box_after_an_error(client, app_module, aws_resources, outbox, ticked):
    # GIVEN a list's page
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    # WHEN a contact without a valid address is added, with the confirmation box (un)ticked
    fields = {"csrf_token": csrf, "email": "geen-adres", "lawful_basis": "klant"} | ({"confirm": "on"} if ticked else {})
    response = post_form(client, f"/lists/{list_id}/contacts", fields, cookie=cookie)
    # THEN the form comes back with the box as it was sent
    assert response.status_code == 422
    assert _ticked(response.body.decode(), "confirm") is ticked


def test_add_contact_form_starts_with_the_confirmation_box_ticked(client, app_module, aws_resources, outbox):
    cookie, _, list_id = account_with_list(client, app_module, aws_resources, outbox)
    page = client.get(f"/lists/{list_id}", headers={"Cookie": cookie})
    assert _ticked(page.body.decode(), "confirm")


@pytest.mark.parametrize("ticked", [True, False])
def test_new_campaign_form_keeps_the_tracking_box_after_an_error(client, app_module, aws_resources, outbox, ticked):
    # GIVEN an account (counting opens and clicks is on for it)
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    # WHEN a campaign without a name is saved, with "count opens and clicks" (un)ticked
    fields = {"csrf_token": csrf, "name": "", "list_id": list_id} | ({"tracking": "on"} if ticked else {})
    response = post_form(client, "/campaigns", fields, cookie=cookie)
    # THEN the form comes back with the box as it was sent
    assert response.status_code == 422
    assert _ticked(response.body.decode(), "tracking") is ticked

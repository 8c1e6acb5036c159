"""A destructive action on a page runs only with its form's "Yes, I am sure" tick (`confirmed=yes`),
checked by the server: without it nothing is deleted, erased, cancelled, removed or withdrawn, and the
page the form is on comes back (422) with the request to tick it at the top. With it, the action
runs as before. Every page route registered with `destructive_from` is tried here."""

import html
import json
from dataclasses import dataclass
from typing import Callable

import pytest

from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list

DUTCH_REQUEST = "Vink 'Ja, ik weet het zeker' aan om te bevestigen."
ENGLISH_REQUEST = "Tick 'Yes, I am sure' to confirm."
JSON = {"Content-Type": "application/json"}


@dataclass
class Holder:
    """A signed-in account holder with one list, and the test's client."""

    client: object
    cookie: str
    csrf: str
    list_id: str

    def get(self, path: str, **headers):
        return self.client.get(path, headers={"Cookie": self.cookie, **headers})

    def api(self, method: str, path: str, body: dict | None = None):
        return self.client.request(method, path, headers={"Cookie": self.cookie, "X-CSRF-Token": self.csrf, **JSON},
                                   body=json.dumps(body).encode() if body is not None else b"")

    def post(self, path: str, fields: dict | None = None, **headers):
        return post_form(self.client, path, {"csrf_token": self.csrf, **(fields or {})}, cookie=self.cookie,
                         headers=headers)


@pytest.fixture
def holder(client, app_module, aws_resources, outbox) -> Holder:
    return Holder(client, *account_with_list(client, app_module, aws_resources, outbox))


# --- what each destructive action acts on: made, found still there, and its page -------------------

def _field(holder: Holder) -> dict:
    assert holder.post("/fields", {"label": "Stad", "field_type": "text"}).status_code == 303
    return {"key": "stad"}


def _segment(holder: Holder) -> dict:
    created = holder.post(f"/lists/{holder.list_id}/segments", {
        "name": "Vips", "match": "any", "condition_0_field": "tag", "condition_0_op": "has", "condition_0_value": "vip"})
    assert created.status_code == 303, created.body
    return {"list_id": holder.list_id, "segment_id": created.headers["Location"].rsplit("/", 1)[1]}


def _template(holder: Holder) -> dict:
    saved = holder.post("/templates", {"name": "Nieuwsbrief", "subject": "Nieuws", "html": "<p>Hallo</p>"})
    assert saved.status_code == 303, saved.body
    return {"template_id": saved.headers["Location"].split("/templates/", 1)[1].split("?", 1)[0]}


def _image(holder: Holder, aws_resources) -> dict:
    from tests.integration.test_data_rights import _upload_an_image

    _upload_an_image(aws_resources, holder.client, holder.cookie)
    page = holder.get("/images").body.decode()
    return {"asset": page.split('action="/images/', 1)[1].split("/delete", 1)[0]}


def _campaign(holder: Holder) -> dict:
    from tests.integration.test_campaign_flow import _campaign_with_template

    return {"campaign_id": _campaign_with_template(holder.client, holder.cookie, holder.csrf, holder.list_id)}


def _domain(holder: Holder) -> dict:
    assert holder.api("POST", "/api/v1/domains", {"domain": "nieuws.bakkerij-jansen.nl"}).status_code == 201
    return {"domain": "nieuws.bakkerij-jansen.nl"}


def _contact(holder: Holder) -> dict:
    added = holder.post(f"/lists/{holder.list_id}/contacts", {"email": "klant@example.org",
                                                              "lawful_basis": "shop counter"})
    assert added.status_code == 303, added.body
    contact_id = holder.get("/contacts").body.decode().split('href="/contacts/', 1)[1].split('"', 1)[0]
    return {"contact_id": contact_id, "list_id": holder.list_id}


def _subscribed(holder: Holder, ids: dict) -> bool:
    found = holder.api("GET", f"/api/v1/contacts/{ids['contact_id']}")
    return found.status_code == 200 and json.loads(found.body)["lists"].get(ids["list_id"]) == "subscribed"


@dataclass(frozen=True)
class Destructive:
    make: Callable  # (holder, aws_resources) -> the ids in the action's path
    action: str  # the form's action
    page: str  # the page the form is on
    still_there: Callable  # (holder, ids) -> whether the action has not happened


ACTIONS = {
    "delete a custom field": Destructive(
        lambda holder, _: _field(holder), "/fields/{key}/delete", "/fields",
        lambda holder, ids: "<code>stad</code>" in holder.get("/fields").body.decode()),
    "delete a segment": Destructive(
        lambda holder, _: _segment(holder), "/lists/{list_id}/segments/{segment_id}/delete",
        "/lists/{list_id}/segments/{segment_id}",
        lambda holder, ids: holder.api("GET", f"/api/v1/segments/{ids['segment_id']}").status_code == 200),
    "delete a template": Destructive(
        lambda holder, _: _template(holder), "/templates/{template_id}/delete", "/templates/{template_id}",
        lambda holder, ids: holder.get(f"/templates/{ids['template_id']}").status_code == 200),
    "delete an image": Destructive(
        _image, "/images/{asset}/delete", "/images",
        lambda holder, ids: holder.client.get(f"/i/{ids['asset']}").status_code == 302),
    "cancel a campaign": Destructive(
        lambda holder, _: _campaign(holder), "/campaigns/{campaign_id}/cancel", "/campaigns/{campaign_id}",
        lambda holder, ids: json.loads(holder.api("GET", f"/api/v1/campaigns/{ids['campaign_id']}").body)["state"]
        == "draft"),
    "remove a sending domain": Destructive(
        lambda holder, _: _domain(holder), "/domains/{domain}/delete", "/domains/{domain}",
        lambda holder, ids: holder.api("GET", f"/api/v1/domains/{ids['domain']}").status_code == 200),
    "erase a contact": Destructive(
        lambda holder, _: _contact(holder), "/contacts/{contact_id}/erase", "/contacts/{contact_id}",
        lambda holder, ids: holder.api("GET", f"/api/v1/contacts/{ids['contact_id']}").status_code == 200),
    "take a contact off a list": Destructive(
        lambda holder, _: _contact(holder), "/contacts/{contact_id}/lists/{list_id}/remove", "/contacts/{contact_id}",
        _subscribed),
}


def test_every_destructive_page_route_is_tried_here(app_module):
    # GIVEN the app's page routes that do something destructive (registered with destructive_from)
    destructive = {path: methods["POST"].view_function.destructive_from
                   for path, methods in app_module.app.routes.items()
                   if "POST" in methods and getattr(methods["POST"].view_function, "destructive_from", None)}
    # THEN each is tried in this file, with the page its form is on (the staff's policy withdrawal below)
    tried = {action.action: action.page for action in ACTIONS.values()}
    assert destructive == {**tried, "/staff/policy/{number}/withdraw": "/staff/policy/{number}"}


@pytest.mark.parametrize("name", ACTIONS)
def test_destructive_action_without_the_tick_changes_nothing_and_asks_for_it(holder, aws_resources, name):
    # GIVEN something the account holder could delete, erase, cancel or remove
    destructive = ACTIONS[name]
    ids = destructive.make(holder, aws_resources)
    # WHEN its form is posted without the "Yes, I am sure" tick (as a script or an old browser could)
    refused = holder.post(destructive.action.format(**ids))
    # THEN nothing happened
    assert destructive.still_there(holder, ids)
    # AND the page the form is on comes back, with the request to tick it in an error summary at the top
    body = html.unescape(refused.body.decode())
    assert refused.status_code == 422
    assert f'<div class="error-summary" role="alert" tabindex="-1"><p>{DUTCH_REQUEST}</p></div>' in body
    assert f'action="{destructive.action.format(**ids)}"' in body
    assert holder.get(destructive.page.format(**ids)).status_code == 200


@pytest.mark.parametrize("name", ACTIONS)
def test_destructive_action_with_the_tick_runs(holder, aws_resources, name):
    # GIVEN something the account holder could delete, erase, cancel or remove
    destructive = ACTIONS[name]
    ids = destructive.make(holder, aws_resources)
    # WHEN its form is posted with the tick, as the browser sends it
    done = holder.post(destructive.action.format(**ids), {"confirmed": "yes"})
    # THEN it is done, and the browser goes on to the next page
    assert done.status_code == 303, done.body
    assert not destructive.still_there(holder, ids)


@pytest.mark.parametrize("sent", [{"confirmed": "on"}, {"confirmed": ""}, {"confirmed": "no"}])
def test_only_the_ticks_own_value_confirms(holder, aws_resources, sent):
    # GIVEN a template
    ids = _template(holder)
    # WHEN its delete form is posted with something else than the tick's value ("yes")
    refused = holder.post(f"/templates/{ids['template_id']}/delete", sent)
    # THEN it is refused, and the template stays
    assert refused.status_code == 422
    assert holder.get(f"/templates/{ids['template_id']}").status_code == 200


def test_the_request_to_tick_is_in_the_pages_language(holder, aws_resources):
    # GIVEN a custom field, and an account holder who reads English
    _field(holder)
    # WHEN its delete form is posted without the tick
    refused = holder.post("/fields/stad/delete", **{"Accept-Language": "en"})
    # THEN the request to tick is in English
    assert refused.status_code == 422
    assert ENGLISH_REQUEST in html.unescape(refused.body.decode())


def test_without_the_tick_a_thing_that_is_not_there_is_not_found(holder):
    # WHEN a template that does not exist is deleted without the tick
    refused = holder.post("/templates/t-nope/delete")
    # THEN the answer is a 404, as with the tick (never a 500)
    assert refused.status_code == 404
    assert holder.post("/templates/t-nope/delete", {"confirmed": "yes"}).status_code == 404


def test_api_deletes_need_no_tick(holder):
    # GIVEN a custom field; WHEN it is deleted through the API, an explicit call with no form
    _field(holder)
    deleted = holder.api("DELETE", "/api/v1/fields/stad")
    # THEN it is deleted
    assert deleted.status_code == 204, deleted.body
    assert "<code>stad</code>" not in holder.get("/fields").body.decode()


def test_staff_withdraw_a_policy_version_only_with_the_tick(client, app_module, aws_resources, outbox):
    from tests.integration.policy_helpers import (a_clock, announce_by_form, csrf_of, draft_by_form, earliest_date,
                                                  staff_and_holder)

    # GIVEN version 2 of the privacy policy, announced and not yet in force
    staff, _ = staff_and_holder(client, app_module, aws_resources, outbox)
    clock = a_clock()
    assert draft_by_form(client, staff).status_code == 303
    assert announce_by_form(client, staff, 2, earliest_date(clock)).status_code == 303
    csrf = csrf_of(client, staff, "/staff/policy/2")
    # WHEN staff withdraw it without the tick
    refused = post_form(client, "/staff/policy/2/withdraw", {"csrf_token": csrf}, cookie=staff)
    # THEN it stays announced, and its page asks for the tick
    assert refused.status_code == 422
    assert DUTCH_REQUEST in html.unescape(refused.body.decode())
    assert 'action="/staff/policy/2/withdraw"' in refused.body.decode()
    # WHEN they tick it THEN it is withdrawn
    withdrawn = post_form(client, "/staff/policy/2/withdraw", {"csrf_token": csrf, "confirmed": "yes"}, cookie=staff)
    assert withdrawn.status_code == 303 and withdrawn.headers["Location"].endswith("notice=withdrawn")
    version_page = client.get("/staff/policy/2", headers={"Cookie": staff}).body.decode()
    assert 'action="/staff/policy/2/withdraw"' not in version_page

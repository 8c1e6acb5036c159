"""A preview (and so a test send) of a template that breaks a render limit says which limit, in
words, as scheduling does, instead of an internal reason code."""

from tests.integration.accounts_helpers import REGISTRATION, confirm
from tests.integration.conftest import json_body
from tests.integration.test_accounts_api import api, register_and_log_in
from tests.integration.test_unrenderable_template_refused_at_scheduling import TOO_MANY_ITERATIONS


def test_preview_names_the_loop_limit_when_a_template_breaks_it(client, app_module, aws_resources, outbox):
    # GIVEN a saved template whose loops run far past the limit
    cookie, session = register_and_log_in(client, app_module, aws_resources)
    confirm(client, outbox, REGISTRATION["email"])
    saved = api(client, "POST", "/api/v1/templates", {"name": "Nieuws", "subject": "Nieuws",
                                                      "html": TOO_MANY_ITERATIONS},
                cookie=cookie, csrf=session["csrf_token"])
    template_id = json_body(saved)["template_id"]
    # WHEN it is previewed, in Dutch
    response = api(client, "GET", f"/api/v1/templates/{template_id}/preview", cookie=cookie, language="nl")
    # THEN the refusal names the loop limit in words
    assert response.status_code == 422, response.body
    detail = json_body(response)["detail"]
    assert "lussen" in detail and "10000" in detail and "too-many-iterations" not in detail

"""Bad input always gets a clear 4xx, in the shape the caller understands; never a stack trace."""

from tests.integration.conftest import json_body


def test_unknown_static_file_is_a_friendly_page_in_dutch(client):
    response = client.get("/static/missing.css", headers={"Accept-Language": "nl-NL"})
    body = response.body.decode()
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert '<html lang="nl">' in body
    assert "Traceback" not in body


def test_api_error_is_problem_details_in_the_callers_language(client):
    response = client.get("/api/v1/openapi.json", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    response = client.post("/dev/jobs/nightly-nonsense", headers={"Content-Type": "application/json",
                                                                  "Accept-Language": "en"}, body=b"{}")
    assert response.status_code == 404
    assert "There is no job called nightly-nonsense." in response.body.decode()


def test_wrong_method_is_405_with_allow_header(client):
    response = client.post("/health", headers={"Content-Type": "application/json"}, body=b"{}")
    assert response.status_code == 405
    assert "GET" in response.headers.get("Allow", "")
    assert "Traceback" not in response.body.decode()


def test_unsupported_content_type_on_a_form_route_is_415(client):
    response = client.post("/dev/test-mail", headers={"Content-Type": "text/plain"}, body=b"to=x")
    assert response.status_code == 415


def test_unexpected_failure_is_a_500_without_internals(client, aws_resources, monkeypatch):
    # GIVEN the health check itself blows up
    import chalicelib.health

    def explode(*_args, **_kwargs):
        raise ZeroDivisionError("secret internals")

    monkeypatch.setattr(chalicelib.health, "check_health", explode)
    # WHEN a page asks for it
    response = client.get("/health")
    # THEN the user sees a generic error, not what went wrong inside
    assert response.status_code == 500
    assert "secret internals" not in response.body.decode()
    assert "ZeroDivisionError" not in response.body.decode()


def test_unknown_address_is_a_friendly_404_page(client):
    response = client.get("/no-such-page", headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.headers["Content-Type"].startswith("text/html")
    assert "We could not find that" in response.body.decode()


def test_unknown_api_address_is_a_404_problem(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert json_body(response)["instance"] == "/api/v1/nothing-here"


def test_unknown_campaign_action_is_a_404_before_any_login_or_form_check(client):
    # GIVEN nobody signed in, and an action campaigns do not have
    # WHEN a form is posted to it
    response = client.post("/campaigns/c123/explode", headers={"Content-Type": "application/x-www-form-urlencoded"},
                           body=b"")
    # THEN the address does not exist (no detour to the login page)
    assert response.status_code == 404
    assert "Location" not in response.headers

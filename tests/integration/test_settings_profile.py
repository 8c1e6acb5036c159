"""P13: the account holder edits their details on Settings & Options, reached from the left navigation."""

import json

from tests.integration.accounts_helpers import csrf_token_of, log_in, post_form, register

PROFILE_FIELDS = ("name", "phone", "street", "postcode", "city", "country", "company_name", "coc_number",
                  "vat_number", "website")


def signed_in_settings(client, app_module, aws_resources, outbox):
    fields = register(client, app_module, aws_resources, outbox)
    cookie = log_in(client)
    page = client.get("/settings", headers={"Cookie": cookie, "Accept-Language": "nl"}).body.decode()
    return fields, cookie, page


def test_settings_page_is_in_the_left_navigation_as_instellingen_en_opties(client, app_module, aws_resources, outbox):
    _, cookie, _ = signed_in_settings(client, app_module, aws_resources, outbox)
    overview = client.get("/app", headers={"Cookie": cookie, "Accept-Language": "nl"}).body.decode()
    navigation = overview.split('class="side-nav"', 1)[1].split("</nav>", 1)[0]
    assert '<a href="/settings"' in navigation
    assert "Instellingen &amp; Opties" in navigation


def test_profile_changes_are_saved_and_audited(client, app_module, aws_resources, outbox):
    fields, cookie, page = signed_in_settings(client, app_module, aws_resources, outbox)
    form = {k: fields[k] for k in PROFILE_FIELDS}
    form.update(city="Haarlem", postcode="2011AB", csrf_token=csrf_token_of(page))
    response = post_form(client, "/settings/profile", form, cookie=cookie)
    assert response.status_code == 303 and response.headers["Location"] == "/settings?notice=saved"
    page = client.get("/settings?notice=saved", headers={"Cookie": cookie}).body.decode()
    assert 'value="Haarlem"' in page and 'value="2011 AB"' in page
    audit = aws_resources.resource("dynamodb").Table("mailexpert-audit-log").scan()["Items"]
    changed = [e for e in audit if e["event"] == "account.profile_changed"]
    assert changed and json.loads(changed[0]["details"]) == {"fields": ["city", "postcode"]}


def test_invalid_profile_keeps_the_stored_details(client, app_module, aws_resources, outbox):
    fields, cookie, page = signed_in_settings(client, app_module, aws_resources, outbox)
    form = {k: fields[k] for k in PROFILE_FIELDS}
    form.update(phone="abc", city="", csrf_token=csrf_token_of(page))
    response = post_form(client, "/settings/profile", form, cookie=cookie, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert 'id="phone-error"' in response.body.decode() and 'id="city-error"' in response.body.decode()
    page = client.get("/settings", headers={"Cookie": cookie}).body.decode()
    assert 'value="Amsterdam"' in page and 'value="+31201234567"' in page


def test_profile_change_without_csrf_token_is_refused(client, app_module, aws_resources, outbox):
    fields, cookie, _ = signed_in_settings(client, app_module, aws_resources, outbox)
    form = {k: fields[k] for k in PROFILE_FIELDS}
    form["city"] = "Haarlem"
    assert post_form(client, "/settings/profile", form, cookie=cookie).status_code == 403
    assert 'value="Amsterdam"' in client.get("/settings", headers={"Cookie": cookie}).body.decode()


def test_settings_page_title_is_plain_text(client, app_module, aws_resources, outbox):
    _, cookie, page = signed_in_settings(client, app_module, aws_resources, outbox)
    title = page.split("<title>", 1)[1].split("</title>", 1)[0]
    assert title == "Instellingen &amp; Opties · MailExpert"

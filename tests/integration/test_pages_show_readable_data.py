"""Every page shows data as a person reads it, in Dutch and in English: no raw enum value
("manual", "subscribed"), no True/False/None, no ISO 8601 timestamp, no snake_case field key.

An account is seeded with everything a page can show (lists, custom fields, contacts with values
and tags, an unsubscribe and a suppression, an import, a sent and opened campaign, a draft, a
segment, a domain, an image, an export, news and a policy draft), it is made staff, and every GET
page of the app (read from `app.routes`, so tomorrow's page is scanned too) is rendered in both
languages. Only the text a person reads is scanned: not attributes (hidden inputs, links, `datetime=`),
not scripts, and not <code>/<pre>/<textarea>/<kbd>, where a merge tag or a DNS value is meant literally.
"""

import enum
import importlib
import json
import pkgutil
import re
from html.parser import HTMLParser

import pytest

import chalicelib
from tests.integration.accounts_helpers import REGISTRATION, post_form
from tests.integration.audience_helpers import account_with_list, import_file
from tests.integration.review_helpers import send_through_review
from tests.integration.test_data_rights import _upload_an_image, run_background_jobs
from tests.integration.test_staff_pages import make_staff
from tests.integration.testimonial_helpers import only_testimonial_of, submit
from tests.integration.testimonial_helpers import publish as publish_testimonial

LANGUAGES = ("nl", "en")
# Literal text: code, and the words a policy diff marks as removed or added (a document's own text)
LITERAL = {"script", "style", "code", "pre", "textarea", "kbd", "samp", "del", "ins"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
ISO_8601 = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2})?")
BOOLEAN_OR_NONE = re.compile(r"\b(?:True|False|None)\b")
MERGE_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")  # template syntax shown as an example is meant literally
SNAKE_CASE = re.compile(r"(?<![\w.@/-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w.@/-])")
# Pages that are not HTML, redirect elsewhere or belong to other flows (a made-up token is a 404 page,
# which is scanned as well through the catch-all).
SKIPPED = {"/health", "/.well-known/security.txt", "/static/{name}", "/t/c/{token}", "/t/o/{token}", "/i/{name}",
           "/staff/partner-statistics/{export}/{fmt}", "/contacts/{contact_id}/export",
           "/lists/{list_id}/imports/{import_id}/report", "/images/uploaded",
           "/lists/{list_id}/imports/{import_id}/uploaded", "/settings/testimonials/photo-uploaded",
           "/settings/testimonials/photos/{photo_id}", "/testimonials/{testimonial_id}/photo",
           "/staff/testimonials/{testimonial_id}/photo", "/templates/{template_id}/preview"}
CSV = ("email,first_name,phone_number,city\n"
       "import1@example.com,Ina,0612345678,Utrecht\n"
       "not-an-address,Fout,,Delft\n").encode()
TEMPLATE_HTML = ('<html><body><p>Hallo {{ contact.first_name | default("lezer") }},</p>'
                 '<p><a href="https://bakkerij.example/aanbod">Ons aanbod</a></p></body></html>')


def _enum_values() -> set[str]:
    """Every value of every Enum in the app: what a page must show through a translated label."""
    values = set()
    for module in pkgutil.walk_packages(chalicelib.__path__, "chalicelib."):
        if module.name.endswith(("routes", "pages")):
            continue
        try:
            loaded = importlib.import_module(module.name)
        except ImportError:
            continue
        for thing in vars(loaded).values():
            if isinstance(thing, type) and issubclass(thing, enum.Enum) and thing.__module__ == loaded.__name__:
                values |= {member.value for member in thing
                            if isinstance(member.value, str) and re.fullmatch(r"[a-z][a-z0-9_.-]*", member.value)}
    return values


class _Text(HTMLParser):
    """The text nodes a person reads, outside literal elements."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.nodes, self._literal = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self._literal.append(tag in LITERAL)

    def handle_endtag(self, tag):
        if tag not in VOID and self._literal:
            self._literal.pop()

    def handle_data(self, data):
        if data.strip() and not any(self._literal):
            self.nodes.append(data.strip())


def raw_values(html: str, enum_values: set[str]) -> list[str]:
    """What in the page's text is a raw value (nothing: [])."""
    parser = _Text()
    parser.feed(html)
    found = []
    for text in parser.nodes:
        text = MERGE_TAG.sub("", text)
        last_word = text.rsplit(": ", 1)[-1].rstrip(".)")  # "Your package: free"
        if text in enum_values or last_word in enum_values:
            found.append(f"enum {text!r}")
        for pattern, kind in ((ISO_8601, "timestamp"), (BOOLEAN_OR_NONE, "boolean"), (SNAKE_CASE, "key")):
            found += [f"{kind} {match!r} in {text[:60]!r}" for match in pattern.findall(text)]
    return found


def test_scanner_finds_each_kind_of_raw_value():
    # GIVEN a page with each kind of raw value, and the same data readable, in attributes and code
    raw = "<td>manual</td><td>False</td><td>2026-03-01T12:05:00+00:00</td><th>phone_number</th><p>Plan: manual</p>"
    readable = ('<td>Handmatig</td><td>Nee</td><td><time datetime="2026-03-01T12:05">1 mrt 2026 13:05</time></td>'
                '<th>Telefoonnummer</th><input type="hidden" value="manual"><code>{{ contact.phone_number }}</code>'
                '<td>anna_de_vries@example.nl</td><p>Use {{ unsubscribe_url }}</p>')
    # WHEN each is scanned THEN all five are found in the first, none in the second
    assert len(raw_values(raw, {"manual"})) == 5
    assert raw_values(readable, {"manual"}) == []


def _seed(client, app_module, aws_resources, outbox) -> tuple[str, dict]:
    """A staff member's account holding something of everything a page shows: (cookie, path parameters)."""
    from chalicelib.composition import services
    from tests.integration.news_helpers import publish
    from tests.integration.policy_helpers import draft_by_form
    from tests.integration.test_campaign_flow import send_campaign_batches

    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox, email=REGISTRATION["email"])
    make_staff()
    api = {"Cookie": cookie, "X-CSRF-Token": csrf, "Content-Type": "application/json"}
    for label, kind in (("Phone number", "text"), ("City", "text"), ("Birthday", "date"), ("Vip", "boolean"),
                        ("Amount", "number")):
        created = client.post("/api/v1/fields", headers=api,
                              body=json.dumps({"label": label, "field_type": kind}).encode())
        assert created.status_code == 201, created.body
    people = {"klant1@example.com": {"phone_number": "0612345678", "city": "Utrecht", "birthday": "1990-05-17",
                                     "vip": "ja", "amount": "1234,5"},
              "klant2@example.com": {"city": "Delft", "vip": "nee"}, "weg@example.com": {}, "stop@example.com": {}}
    for email, fields in people.items():
        added = client.post(f"/api/v1/lists/{list_id}/contacts", headers=api, body=json.dumps(
            {"email": email, "first_name": "Klant", "fields": fields, "tags": ["vip"], "confirm": False,
             "lawful_basis": "klant van de winkel"}).encode())
        assert added.status_code == 201, added.body
    by_hand = post_form(client, f"/lists/{list_id}/contacts", {
        "csrf_token": csrf, "email": "balie@example.com", "first_name": "Bas", "lawful_basis": "klant"}, cookie=cookie)
    assert by_hand.status_code == 303, by_hand.body
    account_id = json.loads(client.get("/api/v1/me", headers=api).body)["account_id"]
    audience = services().audience_service
    left = services().audience.contact_by_email(account_id, "stop@example.com")
    audience.unsubscribe(audience.unsubscribe_token(account_id, left.contact_id, list_id), "192.0.2.1")
    post_form(client, "/suppression", {"csrf_token": csrf, "emails": "weg@example.com"}, cookie=cookie)
    done, _ = import_file(client, app_module, aws_resources, cookie, csrf, list_id, CSV)
    segment = client.post(f"/api/v1/lists/{list_id}/segments", headers=api, body=json.dumps(
        {"name": "Utrecht", "match": "all", "conditions": [{"field": "field:city", "op": "equals", "value": "Utrecht"}]}
    ).encode())
    assert segment.status_code == 201, segment.body
    saved = post_form(client, "/templates", {"csrf_token": csrf, "name": "Nieuwsbrief", "subject": "Nieuws",
                                             "html": TEMPLATE_HTML}, cookie=cookie)
    template_id = saved.headers["Location"].split("/templates/", 1)[1].split("?", 1)[0]
    campaign_ids = []
    for name in ("Maart", "April"):
        created = post_form(client, "/campaigns", {"csrf_token": csrf, "name": name, "template_id": template_id,
                                                   "list_id": list_id, "from_name": "Bakkerij", "tracking": "on"},
                            cookie=cookie)
        assert created.status_code == 303, created.body
        campaign_ids.append(created.headers["Location"].rsplit("/", 1)[1])
    assert send_through_review(client, cookie, csrf, campaign_ids[0]).status_code == 303
    run_background_jobs(app_module, aws_resources)
    send_campaign_batches(app_module, aws_resources)
    mail = next(m for m in outbox.mails() if m["tags"].get("campaign") == campaign_ids[0])
    pixel = re.search(r'src="http://127\.0\.0\.1:8000(/t/o/[^"]+)"', mail["html"]).group(1)
    click = re.search(r'href="http://127\.0\.0\.1:8000(/t/c/[^"]+)"', mail["html"]).group(1)
    client.get(pixel), client.get(click)
    unsubscribe = mail["headers"]["List-Unsubscribe"].strip("<>").removeprefix("http://127.0.0.1:8000")
    assert post_form(client, "/domains", {"csrf_token": csrf, "domain": "nieuws.bakkerij-jansen.nl"},
                     cookie=cookie).status_code == 303
    _upload_an_image(aws_resources, client, cookie)
    post_form(client, "/settings/export", {"csrf_token": csrf}, cookie=cookie)
    run_background_jobs(app_module, aws_resources)
    publish("Nieuw: segmenten", minutes_from_now=-1)
    assert submit(client, cookie, csrf).status_code == 303
    testimonial = only_testimonial_of()
    publish_testimonial(client, cookie, csrf, testimonial)
    draft_by_form(client, cookie)
    contact = services().audience.contact_by_email(account_id, "klant1@example.com")
    others = [f"/contacts/{services().audience.contact_by_email(account_id, email).contact_id}"
              for email in ("balie@example.com", "import1@example.com", "stop@example.com", "weg@example.com")]
    settings_page = client.get("/settings", headers={"Cookie": cookie}).body.decode()
    export_id = settings_page.split('href="/settings/exports/', 1)[1].split('"', 1)[0]
    return cookie, {"list_id": list_id, "template_id": template_id, "campaign_id": campaign_ids[0],
                    "contact_id": contact.contact_id, "import_id": done["import_id"],
                    "segment_id": json.loads(segment.body)["segment_id"], "domain": "nieuws.bakkerij-jansen.nl",
                    "export_id": export_id, "testimonial_id": testimonial.testimonial_id, "number": "1",
                    "token": unsubscribe.removeprefix("/u/").split("?")[0],
                    "proxy+": "no/such/page", "campaign_ids": campaign_ids, "unsubscribe": unsubscribe,
                    "csrf": csrf,
                    "others": others}


def _pages(app, own: dict) -> list[str]:
    paths = []
    for pattern, methods in sorted(app.routes.items()):
        if "GET" not in methods or pattern.startswith(("/api/", "/dev/")) or pattern in SKIPPED:
            continue
        if pattern == "/news/unsubscribe/{token}":
            continue
        paths.append(re.sub(r"\{([^}]+)\}", lambda m: own.get(m.group(1), "0123456789abcdef"), pattern))
    paths += [f"/campaigns/{own['campaign_ids'][1]}", own["unsubscribe"], "/templates/new", "/campaigns?new=1", "/staff/policy/2",
              *own["others"]]
    return paths


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_shows_a_raw_value(client, app_module, aws_resources, outbox, language):
    # GIVEN an account with something of everything, its holder staff, signed in
    cookie, own = _seed(client, app_module, aws_resources, outbox)
    enum_values = _enum_values()
    failures, seen = {}, 0
    # WHEN every page is shown in the language
    for path in _pages(app_module.app, own):
        for signed_in in (True, False):
            separator = "&" if "?" in path else "?"
            response = client.get(f"{path}{separator}lang={language}",
                                  headers={"Cookie": cookie} if signed_in else {})
            if "text/html" not in response.headers.get("Content-Type", ""):
                continue
            seen += 1
            # THEN its text shows no raw value
            found = raw_values(response.body.decode(), enum_values)
            if found:
                failures[f"{path} ({'signed in' if signed_in else 'visitor'})"] = found
    # AND the review before sending a campaign (a form's answer) neither
    reviewed = post_form(client, f"/campaigns/{own['campaign_ids'][1]}/schedule?lang={language}",
                         {"csrf_token": own["csrf"], "when": "now"}, cookie=cookie)
    assert reviewed.status_code == 200, reviewed.body
    if found := raw_values(reviewed.body.decode(), enum_values):
        failures["review"] = found
    assert seen > 60
    assert failures == {}, json.dumps(failures, indent=1, ensure_ascii=False)

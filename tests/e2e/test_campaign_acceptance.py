"""The campaign acceptance run on the real local stack: an imported list of 1,000 contacts with
simulator bounce and complaint addresses and some suppressed ones, a template with a personalised
greeting and an image, a campaign sent now; exactly one mail per eligible recipient, none for the
others, bounces and complaints suppressed, and the report adds up."""

import io
import json
import os
import urllib.request
import uuid
from collections import Counter

import pytest
import urllib3

from devstack.devtools.outbox import Outbox
from tests.e2e.conftest import STATE_DIR
from tests.e2e.test_local_stack import _api_account

pytestmark = pytest.mark.e2e

CONTACTS = 1000
SUPPRESSED = 10
BOUNCE, COMPLAINT = "bounce@simulator.amazonses.com", "complaint@simulator.amazonses.com"


def _call(stack, method, path, headers, body=None):
    status, content = stack.request(method, path, body, headers)
    return status, json.loads(content) if content else None


def _poll(stack, path, headers):
    """A GET while the stack is busy sending (every mail's SES events go through the one moto
    server): a slow answer is waited for again, not a failure."""
    try:
        return _call(stack, "GET", path, headers)[1]
    except (TimeoutError, OSError):
        return None


def _post_to_s3(upload: dict, data: bytes, content_type: str) -> int:
    """What the browser does with a presigned POST form: a multipart upload straight to S3."""
    body, multipart_type = urllib3.encode_multipart_formdata(
        [*upload["fields"].items(), ("file", ("upload", data, content_type))])
    request = urllib.request.Request(upload["url"], data=body, method="POST", headers={"Content-Type": multipart_type})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status


def _png() -> bytes:
    from PIL import Image

    image = io.BytesIO()
    Image.new("RGB", (120, 40), "orange").save(image, "PNG")
    return image.getvalue()


def test_campaign_to_an_imported_list_of_a_thousand(local_stack):
    headers = _api_account(local_stack, f"bakker-{uuid.uuid4().hex[:8]}@example.nl")
    # (the Free plan holds 500 contacts: the bakery takes the Starter plan first)
    assert _call(local_stack, "PUT", "/api/v1/me/plan", headers, {"plan": "starter"})[0] == 200
    _, created = _call(local_stack, "POST", "/api/v1/lists", headers, {"name": "Klanten"})
    list_id = created["list_id"]
    # GIVEN a list of 1,000 imported through the presigned upload, the mapping and the declaration
    rows = ["email,first_name,plaats"] + [f"klant{n}@example.com,Klant{n},Utrecht" for n in range(CONTACTS - 2)]
    rows += [f"{BOUNCE},Bounce,Nergens", f"{COMPLAINT},Klacht,Nergens"]
    _, started = _call(local_stack, "POST", f"/api/v1/lists/{list_id}/imports", headers, {})
    assert _post_to_s3(started["upload"], "\n".join(rows).encode(), "text/csv") in (200, 201, 204, 303)
    _, ready = _call(local_stack, "GET", f"/api/v1/imports/{started['import_id']}", headers)
    assert ready["status"] == "mapping"
    _call(local_stack, "POST", f"/api/v1/imports/{started['import_id']}/start", headers,
          {"mapping": ready["mapping"], "declared": True, "lawful_basis": "Klanten van de bakkerij"})
    done = local_stack.wait_for(lambda: (lambda i: i if i["status"] == "done" else None)(
        _call(local_stack, "GET", f"/api/v1/imports/{started['import_id']}", headers)[1]), timeout_s=120,
        what="the import")
    assert done["counts"]["imported"] == CONTACTS
    # AND some of them suppressed since
    suppressed = [f"klant{n}@example.com" for n in range(SUPPRESSED)]
    assert _call(local_stack, "POST", "/api/v1/suppression", headers, {"emails": suppressed})[0] == 200
    # AND an image and a template with a personalised greeting
    _, upload = _call(local_stack, "POST", "/api/v1/images", headers, {})
    assert _post_to_s3(upload, _png(), "image/png") in (200, 201, 204)
    status, image = _call(local_stack, "POST", f"/api/v1/images/{upload['upload_id']}/finish?name=logo", headers, {})
    assert status == 201, image
    html = (f'<p><img src="{image["url"]}" alt="Bakkerij" width="120"></p>'
            '<p>Beste {{ contact.first_name | default("klant") }} uit {{ contact.fields.plaats }},</p>'
            '<p>Vers brood: <a href="https://bakkerij.example/brood">bestel</a></p>')
    status, template = _call(local_stack, "POST", "/api/v1/templates", headers,
                             {"name": "Maart", "subject": "Nieuws voor {{ contact.first_name }}", "html": html})
    assert status == 201, template
    # WHEN a campaign to the list is sent now
    _, campaign = _call(local_stack, "POST", "/api/v1/campaigns", headers,
                        {"name": "Maart", "template_id": template["template_id"], "list_id": list_id,
                         "from_name": "Bakkerij"})
    status, scheduled = _call(local_stack, "POST", f"/api/v1/campaigns/{campaign['campaign_id']}/schedule",
                              headers, {})
    assert status == 200 and scheduled["state"] in ("scheduled", "sending"), scheduled
    seen_states = set()

    def sent():
        current = _poll(local_stack, f"/api/v1/campaigns/{campaign['campaign_id']}", headers)
        if current is None:
            return None
        seen_states.add(current["state"])
        return current if current["state"] == "sent" else None

    local_stack.wait_for(sent, timeout_s=240, interval_s=1, what="the campaign to be sent")
    assert "sending" in seen_states  # progress was visible on the way
    # THEN the outbox holds exactly one mail per eligible recipient, none for the suppressed
    eligible = CONTACTS - SUPPRESSED
    outbox = Outbox(os.path.join(STATE_DIR, "outbox.jsonl"))  # read from disk: /dev/outbox.json is for people
    mails = local_stack.wait_for(
        lambda: (lambda m: m if len(m) >= eligible else None)(
            [m for m in outbox.mails() if m.get("tags", {}).get("campaign") == campaign["campaign_id"]]),
        timeout_s=60, what="every campaign mail in the outbox")
    per_address = Counter(m["to"][0] for m in mails)
    assert len(per_address) == eligible and set(per_address.values()) == {1}
    assert not set(suppressed) & set(per_address)
    mail = next(m for m in mails if m["to"] == ["klant42@example.com"])
    assert mail["subject"] == "Nieuws voor Klant42" and "Beste Klant42 uit Utrecht," in mail["html"]
    assert "/i/" in mail["html"] and mail["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["headers"]["List-Unsubscribe"].startswith("<http://127.0.0.1:8100/u/")
    # AND the bounce and complaint addresses end up suppressed
    def suppression():
        page = _poll(local_stack, "/api/v1/suppression", headers)
        if page is None:
            return None
        reasons = {entry["email"]: entry["reason"] for entry in page["suppressions"]}
        return reasons if {BOUNCE, COMPLAINT} <= reasons.keys() else None

    reasons = local_stack.wait_for(suppression, timeout_s=180, interval_s=2, what="the simulator events")
    assert reasons[BOUNCE] == "hard-bounce" and reasons[COMPLAINT] == "complaint"
    # AND the report shows the numbers
    # (campaign mail publishes only problems; delivered is what SES accepted minus what bounced)
    numbers = local_stack.wait_for(lambda: (lambda c: c["report"] if c and c["report"]["bounced"]
                                            and c["report"]["complained"]
                                            and c["report"]["delivered"] >= eligible - 1 else None)(
        _poll(local_stack, f"/api/v1/campaigns/{campaign['campaign_id']}", headers)),
        timeout_s=300, interval_s=3, what="every SES event of the campaign in the report")
    assert numbers["delivered"] == eligible - 1  # all but the bounce (the complaint comes after delivery)
    assert numbers["recipients"] == eligible and numbers["sent"] == eligible
    assert numbers["unknown"] == 0 and numbers["failed"] == 0

"""The usage figures (P3, P7) equal what was actually stored and sent: an import, a contact added by
hand, an image upload (with its thumbnail), a template and a campaign, counted as they happened,
never by scanning."""

import re

from chalicelib.campaigns.campaigns import stored_bytes
from chalicelib.composition import services
from tests.integration.review_helpers import send_through_review
from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list, import_file
from tests.integration.test_campaign_flow import _add, _campaign_with_template, send_campaign_batches
from tests.integration.test_data_rights import run_background_jobs
from tests.integration.usage_helpers import account_of, png, stored_image_bytes, upload_image, usage_api


def _contact_items(aws_resources, account_id) -> int:
    table = aws_resources.resource("dynamodb").Table("mailexpert-audience")
    items = table.scan()["Items"]
    return sum(1 for i in items if i["pk"] == f"ACCOUNT#{account_id}" and i["sk"].startswith("CONTACT#"))


def test_usage_figures_equal_what_was_imported_uploaded_and_sent(client, app_module, aws_resources, outbox):
    # GIVEN an account holder who imports six contacts, adds one by hand, uploads an image and sends a campaign
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    rows = "\n".join(f"klant{n}@example.com,Klant{n}" for n in range(6))
    import_file(client, app_module, aws_resources, cookie, csrf, list_id, f"email,first_name\n{rows}\n".encode())
    _add(client, cookie, csrf, list_id, "los@example.com", "Los")
    uploaded = upload_image(client, aws_resources, cookie, csrf, png())
    assert uploaded.status_code == 201, uploaded.body
    campaign_id = _campaign_with_template(client, cookie, csrf, list_id)
    outbox.clear()
    scheduled = send_through_review(client, cookie, csrf, campaign_id)
    assert scheduled.status_code == 303, scheduled.body
    run_background_jobs(app_module, aws_resources)
    send_campaign_batches(app_module, aws_resources)
    # WHEN they look at their usage through the API
    figures = usage_api(client, cookie)
    # THEN each figure is what is stored and what SES was handed
    account = account_of()
    mails = [m for m in outbox.mails() if m["tags"].get("campaign") == campaign_id]
    assert len(mails) == 7
    assert figures["contacts"] == _contact_items(aws_resources, account.account_id) == 7
    assert figures["recipients"] == 7 and figures["mails_sent"] == len(mails)
    assert figures["bytes_sent"] == sum(len(m["subject"].encode()) + len(m["text"].encode()) + len(m["html"].encode())
                                        for m in mails)
    assert figures["campaigns_started"] == 1
    assert figures["imports"] == 1 and figures["contacts_imported"] == 6
    images = services().assets.list_assets(account.account_id)
    templates = services().campaign_service.templates(account)
    image_bytes = stored_image_bytes(aws_resources, account.account_id)  # thumbnails included
    assert image_bytes > sum(i.size for i in images) > 0
    assert figures["storage_bytes"] == image_bytes + sum(stored_bytes(t) for t in templates)
    # AND the Usage page in the left navigation shows the figures beside the plan's limits, with SVG charts
    page = client.get("/usage?lang=en", headers={"Cookie": cookie}).body.decode()
    assert '<a href="/usage" aria-current="page">Usage</a>' in page
    assert re.search(r'<tr id="usage-contacts">.*?<td class="usage-used">7</td>\s*<td class="usage-limit">500</td>',
                     page, re.S)
    assert page.count('<figure class="usage-chart"') >= 6 and "<svg" in page
    assert "style=" not in page.split('<main', 1)[1]  # classes only: the strict CSP allows no inline styles


def test_deleting_an_image_gives_its_bytes_back(client, app_module, aws_resources, outbox):
    # GIVEN an account with one image
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    uploaded = upload_image(client, aws_resources, cookie, csrf, png())
    assert uploaded.status_code == 201, uploaded.body
    stored = usage_api(client, cookie)["storage_bytes"]
    assert stored > 0
    # WHEN it is deleted
    [image] = services().assets.list_assets(account_of().account_id)
    post_form(client, f"/images/{image.asset_id}/delete", {"csrf_token": csrf, "confirmed": "yes"}, cookie=cookie)
    # THEN the bytes stored are back to nothing
    assert usage_api(client, cookie)["storage_bytes"] == 0

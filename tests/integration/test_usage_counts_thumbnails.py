"""Thumbnails count towards bytes stored (P3, P7): an upload claims its image and its thumbnail together
(near the limit the usual quota message, nothing stored), deleting the image gives both back, a
thumbnail made later is claimed when it is kept (at the limit it is shown without being kept), and the
usage figure is what S3 holds."""

import json

from chalicelib.campaigns import image_check
from chalicelib.composition import services
from chalicelib.formatting import format_bytes
from chalicelib.i18n import current_language, set_language
from tests.integration.accounts_helpers import post_form
from tests.integration.audience_helpers import account_with_list
from tests.integration.test_image_thumbnails import IMAGE_ACCEPT, _keys
from tests.integration.usage_helpers import (account_of, png, small_free_plan, stored_image_bytes, upload_image,
                                             usage_api)


def _thumbnail(client, cookie, asset):
    return client.get(f"/images/{asset.path}/thumbnail", headers={"Cookie": cookie, "Accept": IMAGE_ACCEPT})


def _in_english(format_value, value) -> str:
    was = current_language()
    set_language("en")
    try:
        return format_value(value)
    finally:
        set_language(was)


def _only_image(account_id):
    [asset] = services().assets.list_assets(account_id)
    return asset


def test_an_upload_adds_image_and_thumbnail_bytes_and_deleting_gives_them_back(client, app_module, aws_resources,
                                                                              outbox):
    # GIVEN an account with nothing stored
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    assert usage_api(client, cookie)["storage_bytes"] == 0
    # WHEN an image is uploaded
    assert upload_image(client, aws_resources, cookie, csrf, png((400, 300))).status_code == 201
    # THEN bytes stored are the clean image and its thumbnail, as S3 holds them, on the API and the page
    account_id = account_of().account_id
    image = _only_image(account_id)
    stored = stored_image_bytes(aws_resources, account_id)
    assert usage_api(client, cookie)["storage_bytes"] == stored > image.size
    page = client.get("/usage?lang=en", headers={"Cookie": cookie}).body.decode()
    row = page.split('<tr id="usage-storage_bytes">', 1)[1].split("</tr>", 1)[0]
    assert f'<td class="usage-used">{_in_english(format_bytes, stored)}</td>' in row
    # WHEN the image is deleted
    assert post_form(client, f"/images/{image.asset_id}/delete", {"csrf_token": csrf, "confirmed": "yes"},
                     cookie=cookie).status_code == 303
    # THEN both are given back
    assert usage_api(client, cookie)["storage_bytes"] == 0 == stored_image_bytes(aws_resources, account_id)


def test_an_image_that_fits_only_without_its_thumbnail_gets_the_usual_quota_message(client, app_module,
                                                                                     aws_resources, outbox,
                                                                                     monkeypatch):
    # GIVEN the bytes an image and its thumbnail take (stored once, then deleted)
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    assert upload_image(client, aws_resources, cookie, csrf, png()).status_code == 201
    account_id = account_of().account_id
    image, both = _only_image(account_id), stored_image_bytes(aws_resources, account_id)
    services().assets.delete_asset(account_id, image.asset_id)
    # AND a plan with room for the image but not for its thumbnail too
    small_free_plan(monkeypatch, storage=both - 1)
    # WHEN the same image is uploaded
    response = upload_image(client, aws_resources, cookie, csrf, png())
    # THEN it is refused with the usual message (the limit, the use, how to upgrade), and nothing is stored
    assert response.status_code == 403, response.body
    body = json.loads(response.body)
    assert body["type"].endswith("/quota-exceeded")
    assert body["detail"] == (f"Your plan allows {both - 1} byte of images and templates and 0 byte is stored: this "
                              "would go over the limit. Delete images or templates you no longer use, or upgrade "
                              "your plan under Settings & Options.")
    assert services().assets.list_assets(account_id) == [] and _keys(aws_resources, "thumbnails/") == []
    assert usage_api(client, cookie)["storage_bytes"] == 0
    # WHEN the plan has room for both exactly THEN it is stored
    small_free_plan(monkeypatch, storage=both)
    assert upload_image(client, aws_resources, cookie, csrf, png()).status_code == 201
    assert usage_api(client, cookie)["storage_bytes"] == both


def test_a_thumbnail_made_later_is_claimed_when_kept_and_at_the_limit_only_shown(client, app_module, aws_resources,
                                                                                 outbox, monkeypatch):
    # GIVEN an image uploaded while thumbnails could not be made
    cookie, csrf, _ = account_with_list(client, app_module, aws_resources, outbox)
    real = image_check.make_thumbnail
    monkeypatch.setattr(image_check, "make_thumbnail", lambda *args: (_ for _ in ()).throw(OSError("broken")))
    assert upload_image(client, aws_resources, cookie, csrf, png((300, 200))).status_code == 201
    monkeypatch.setattr(image_check, "make_thumbnail", real)
    account_id = account_of().account_id
    image = _only_image(account_id)
    assert usage_api(client, cookie)["storage_bytes"] == image.size
    # WHEN its thumbnail is first asked for
    assert _thumbnail(client, cookie, image).status_code == 200
    # THEN it is kept and its bytes are claimed: the figure is again what S3 holds, and a second view adds nothing
    stored = stored_image_bytes(aws_resources, account_id)
    assert usage_api(client, cookie)["storage_bytes"] == stored > image.size
    assert _thumbnail(client, cookie, image).status_code == 200
    assert usage_api(client, cookie)["storage_bytes"] == stored
    # AND deleting the image gives both back
    services().assets.delete_asset(account_id, image.asset_id)
    assert usage_api(client, cookie)["storage_bytes"] == 0
    # GIVEN another such image on a plan that is full with the image alone
    monkeypatch.setattr(image_check, "make_thumbnail", lambda *args: (_ for _ in ()).throw(OSError("broken")))
    assert upload_image(client, aws_resources, cookie, csrf, png((300, 200))).status_code == 201
    monkeypatch.setattr(image_check, "make_thumbnail", real)
    image = _only_image(account_id)
    small_free_plan(monkeypatch, storage=image.size)
    # WHEN its thumbnail is asked for
    response = _thumbnail(client, cookie, image)
    # THEN it is shown, but not kept and not counted: the plan's limit holds
    assert response.status_code == 200 and response.headers["Content-Type"] == "image/png"
    assert _keys(aws_resources, "thumbnails/") == []
    assert usage_api(client, cookie)["storage_bytes"] == image.size == stored_image_bytes(aws_resources, account_id)

"""Routes of campaigns: templates, images, campaigns, and the public tracking and image links
(pages and /api/v1)."""

from chalice import Blueprint, Response

from chalicelib.composition import services
from chalicelib.accounts.page_routes import PageRoutes
from chalicelib.accounts.web import api_caller
from chalicelib.api import ApiRoutes
from chalicelib.campaigns.schemas import CampaignIn, CampaignOut, ScheduleIn, TemplateIn, TemplateOut

routes = Blueprint(__name__)
api = ApiRoutes(routes, api_caller(services))
pages = PageRoutes(routes, services)

TRANSPARENT_GIF = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"  # 1x1, the open pixel


def _campaign_pages():
    from chalicelib.campaigns import pages

    return pages


@pages.page("/templates")
def templates(account, query, visit):
    return _campaign_pages().templates_page(account, visit)


@pages.page("/templates", methods=["POST"])
def create_template(account, form, visit):
    return _campaign_pages().submit_template(account, form, visit)


@pages.page("/templates/new")
def new_template(account, query, visit):
    return _campaign_pages().template_page(account, visit)


@pages.page("/templates/{template_id}")
def template(account, query, visit, template_id):
    return _campaign_pages().template_page(account, visit, template_id)


@pages.page("/templates/{template_id}", methods=["POST"])
def update_template(account, form, visit, template_id):
    return _campaign_pages().submit_template(account, form, visit, template_id)


@pages.page("/templates/{template_id}/preview")
def template_preview(account, query, visit, template_id):
    return _campaign_pages().template_preview(account, visit, query, template_id)


@pages.page("/templates/{template_id}/test", methods=["POST"])
def template_test_send(account, form, visit, template_id):
    return _campaign_pages().submit_test_send(account, visit, template_id)


@pages.page("/templates/{template_id}/delete", methods=["POST"], destructive_from="/templates/{template_id}")
def delete_template(account, form, visit, template_id):
    return _campaign_pages().submit_template_deletion(account, visit, template_id)


@pages.page("/images")
def images(account, query, visit):
    return _campaign_pages().images_page(account, visit)


@pages.page("/images/uploaded")
def image_uploaded(account, query, visit):
    return _campaign_pages().image_uploaded(account, visit)


@pages.page("/images/{asset}/thumbnail")
def image_thumbnail(account, query, visit, asset):
    return _campaign_pages().image_thumbnail(account, visit, asset)


@pages.page("/images/{asset}/delete", methods=["POST"], destructive_from="/images")
def delete_image(account, form, visit, asset):
    return _campaign_pages().submit_image_deletion(account, visit, asset)


@pages.page("/campaigns")
def campaigns(account, query, visit):
    return _campaign_pages().campaigns_page(account, visit)


@pages.page("/campaigns", methods=["POST"])
def create_campaign(account, form, visit):
    return _campaign_pages().submit_campaign(account, form, visit)


@pages.page("/campaigns/{campaign_id}")
def campaign(account, query, visit, campaign_id):
    return _campaign_pages().campaign_page(account, visit, campaign_id)


@pages.page("/campaigns/{campaign_id}", methods=["POST"])
def update_campaign(account, form, visit, campaign_id):
    return _campaign_pages().submit_campaign_update(account, form, visit, campaign_id)


@pages.page("/campaigns/{campaign_id}/schedule", methods=["POST"])
def schedule_campaign(account, form, visit, campaign_id):
    return _campaign_pages().submit_schedule(account, form, visit, campaign_id)


@pages.page("/campaigns/{campaign_id}/{action}", methods=["POST"], only={"action": ("test", "pause", "resume")})
def change_campaign_state(account, form, visit, campaign_id, action):
    if action == "test":
        return _campaign_pages().submit_campaign_test_send(account, visit, campaign_id)
    return _campaign_pages().submit_state_change(account, visit, campaign_id, action)


@pages.page("/campaigns/{campaign_id}/cancel", methods=["POST"], destructive_from="/campaigns/{campaign_id}")
def cancel_campaign(account, form, visit, campaign_id):
    return _campaign_pages().submit_state_change(account, visit, campaign_id, "cancel")

@routes.route("/t/o/{token}", methods=["GET"])
def tracking_pixel(token):
    import base64

    services().tracking.opened(token)
    accept = (routes.current_request.headers.get("accept") or "").lower()
    if "*/*" not in accept and "image/gif" not in accept:  # API Gateway sends binary only to who accepts it
        return Response(body="", status_code=204, headers={"Cache-Control": "no-store, private"})
    return Response(body=base64.b64decode(TRANSPARENT_GIF), status_code=200,
                    headers={"Content-Type": "image/gif", "Cache-Control": "no-store, private"})

@routes.route("/t/c/{token}", methods=["GET"])
def tracked_link(token):
    return Response(body="", status_code=302, headers={"Location": services().tracking.clicked(token),
                                                        "Cache-Control": "no-store, private",
                                                        "Referrer-Policy": "no-referrer"})

@routes.route("/i/{name}", methods=["GET"])
def campaign_image(name):
    """An image in a campaign mail: a short-lived link to it in the (private) assets bucket."""
    target = services().assets.image_redirect_url(name)
    if target is None:
        from chalicelib import errors

        raise errors.NotFound()
    return Response(body="", status_code=302, headers={"Location": target, "Cache-Control": "public, max-age=1800"})


@api.route("/templates", "GET", summary="The account's templates", tags=["campaigns"], signed_in=True)
def api_templates(caller):
    from chalicelib.campaigns.api import template_out

    return [template_out(t).model_dump() for t in services().campaign_service.templates(caller.account)]


@api.route("/templates", "POST", summary="Save a new template (checked, sanitised, CSS inlined)", request=TemplateIn,
           response=TemplateOut, status=201, tags=["campaigns"], signed_in=True)
def api_create_template(data, caller):
    from chalicelib.campaigns.api import template_out

    return template_out(services().campaign_service.save_template(caller.account, data))


@api.route("/templates/{template_id}", "PUT", summary="Change a template", request=TemplateIn, response=TemplateOut,
           tags=["campaigns"], signed_in=True, errors_=(404,))
def api_update_template(data, template_id, caller):
    from chalicelib.campaigns.api import template_out

    services().campaign_service.get_template(caller.account, template_id)
    return template_out(services().campaign_service.save_template(caller.account, data, template_id))


@api.route("/templates/{template_id}/preview", "GET", summary="The template as a contact (?contact=) would get it",
           tags=["campaigns"], signed_in=True, errors_=(404,))
def api_preview_template(template_id, caller):
    contact = (routes.current_request.query_params or {}).get("contact")
    parts = services().campaign_service.preview(caller.account, template_id, contact)
    return {"subject": parts.subject, "html": parts.html, "text": parts.text}


@api.route("/images", "GET", summary="The account's images, with the address to use in templates",
           tags=["campaigns"], signed_in=True)
def api_images(caller):
    from chalicelib.campaigns.api import asset_out

    return [asset_out(a) for a in services().assets.list_assets(caller.account.account_id)]


@api.route("/images", "POST", summary="Begin an image upload: post the file with these form fields to `url`",
           status=201, tags=["campaigns"], signed_in=True)
def api_begin_image(caller):
    return services().assets.begin_upload(caller.account.account_id)


@api.route("/images/{upload_id}/finish", "POST", summary="Check the uploaded image and keep a clean copy (?name=)",
           status=201, tags=["campaigns"], signed_in=True, errors_=(404, 409, 413, 422))
def api_finish_image(upload_id, caller):
    from chalicelib.campaigns.api import asset_out

    name = (routes.current_request.query_params or {}).get("name")
    return asset_out(services().assets.finish_upload(caller.account.account_id, upload_id, name))


@api.route("/campaigns", "GET", summary="The account's campaigns", tags=["campaigns"], signed_in=True)
def api_campaigns(caller):
    from chalicelib.campaigns.api import campaign_out

    return [campaign_out(services(), caller.account, c).model_dump(mode="json") for c in services().campaign_service.campaigns(caller.account)]


@api.route("/campaigns", "POST", summary="A new campaign (a draft)", request=CampaignIn, response=CampaignOut,
           status=201, tags=["campaigns"], signed_in=True, errors_=(404,))
def api_create_campaign(data, caller):
    from chalicelib.campaigns.api import campaign_out

    return campaign_out(services(), caller.account, services().campaign_service.create_campaign(caller.account, data))


@api.route("/campaigns/{campaign_id}", "GET", summary="A campaign with its report", response=CampaignOut,
           tags=["campaigns"], signed_in=True, errors_=(404,))
def api_campaign(campaign_id, caller):
    from chalicelib.campaigns.api import campaign_out

    return campaign_out(services(), caller.account, services().campaign_service.get_campaign(caller.account, campaign_id), report=True)


@api.route("/campaigns/{campaign_id}/test", "POST", summary="Send the campaign's template to your own address, "
           "from the campaign's from name and address", status=202, tags=["campaigns"], signed_in=True,
           errors_=(403, 404, 422, 503))
def api_test_campaign(campaign_id, caller):
    services().campaign_service.test_send_campaign(caller.account, campaign_id)
    return {"sent_to": caller.account.email}


@api.route("/campaigns/{campaign_id}/schedule", "POST", summary="Send now, or at `send_at`, at once: unlike the "
           "campaign page, the API asks for no review step (call GET /campaigns/{campaign_id} first to check it)",
           request=ScheduleIn,
           response=CampaignOut, tags=["campaigns"], signed_in=True, errors_=(404, 409))
def api_schedule_campaign(data, campaign_id, caller):
    from chalicelib.campaigns.api import campaign_out

    return campaign_out(services(), caller.account, services().campaign_service.schedule(caller.account, campaign_id, data.send_at))


@api.route("/campaigns/{campaign_id}/pause", "POST", summary="Pause: nothing more goes out within seconds",
           response=CampaignOut, tags=["campaigns"], signed_in=True, errors_=(404, 409))
def api_pause_campaign(campaign_id, caller):
    from chalicelib.campaigns.api import campaign_out

    return campaign_out(services(), caller.account, services().campaign_service.pause(caller.account, campaign_id))


@api.route("/campaigns/{campaign_id}/resume", "POST", summary="Resume a paused campaign", response=CampaignOut,
           tags=["campaigns"], signed_in=True, errors_=(404, 409))
def api_resume_campaign(campaign_id, caller):
    from chalicelib.campaigns.api import campaign_out

    return campaign_out(services(), caller.account, services().campaign_service.resume(caller.account, campaign_id))


@api.route("/campaigns/{campaign_id}/cancel", "POST", summary="Cancel: nothing more goes out", response=CampaignOut,
           tags=["campaigns"], signed_in=True, errors_=(404, 409))
def api_cancel_campaign(campaign_id, caller):
    from chalicelib.campaigns.api import campaign_out

    return campaign_out(services(), caller.account, services().campaign_service.cancel(caller.account, campaign_id))

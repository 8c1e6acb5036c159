"""The testimonial pages: the customer's (under Settings & Options), staff's, and the public ones.

Photos live in the private assets bucket; pages show them through the app's photo routes, which
redirect to a short-lived presigned link, so each page that shows one allows the bucket's origin
for images in its Content-Security-Policy (and the customer's page, which posts the upload to S3,
for its form too).
"""

from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from chalice.app import Response

from chalicelib import errors, i18n
from chalicelib.accounts.page_routes import Visit, redirect, render_app_page
from chalicelib.api import validate_fields
from chalicelib.forms import messages_by_field
from chalicelib.http import CONTENT_SECURITY_POLICY, html
from chalicelib.i18n import N_
from chalicelib.scanning import RETRY_AFTER_S, ScanPending
from chalicelib.testimonials.schemas import STAFF_TIME_ZONE, ProposalIn, TestimonialIn, WithdrawalRequestIn
from chalicelib.testimonials.service import HOME_PAGE_COUNT
from chalicelib.testimonials.testimonial import (CONSENT_WORDING_VERSION, DETAIL_MAX, TEXT_MAX, TestimonialEvent,
                                                 TestimonialStatus, consent_wording)

MINE = "/settings/testimonials"
STAFF = "/staff/testimonials"
PHOTO_LINK_MAX_AGE_S = 300  # well inside the presigned link's validity

NOTICES = {
    "submitted": N_("Thank you! Your testimonial is saved with your permission. We let you know on this page when "
                    "it is published."),
    "photo": N_("Your photo is checked and ready. Tick \"Show my photo\" below to show it with your testimonial."),
    "withdrawn": N_("Your permission is withdrawn: the testimonial is no longer on our website."),
    "accepted": N_("You agreed to the proposed change."),
    "declined": N_("You declined the proposed change. Your testimonial stays as you wrote it."),
}
STAFF_NOTICES = {
    "published": N_("The testimonial is published, exactly as consented to."),
    "unpublished": N_("The testimonial is no longer published."),
    "proposed": N_("The change is proposed to the customer. It is shown only after they agree."),
    "withdrawn": N_("The withdrawal is recorded and the testimonial is no longer published."),
}
STATUS_NAMES = {TestimonialStatus.SUBMITTED: N_("Waiting for publication"),
                TestimonialStatus.PUBLISHED: N_("Published"),
                TestimonialStatus.WITHDRAWN: N_("Permission withdrawn")}
DETAIL_NAMES = {"name": N_("Name"), "company": N_("Company"), "city": N_("City"), "photo": N_("Photo")}
EVENT_NAMES = {TestimonialEvent.SUBMITTED: N_("Submitted"), TestimonialEvent.PUBLISHED: N_("Published"),
               TestimonialEvent.UNPUBLISHED: N_("Taken offline"),
               TestimonialEvent.CHANGE_PROPOSED: N_("Change proposed"),
               TestimonialEvent.CHANGE_ACCEPTED: N_("Change accepted"),
               TestimonialEvent.CHANGE_DECLINED: N_("Change declined"), TestimonialEvent.WITHDRAWN: N_("Withdrawn")}
WORDING_CHANGED = N_("The words of the permission changed while you were writing. Read them again and tick the box.")
PHOTO_GONE = N_("This photo is no longer available. Please upload it again.")


def _notice(visit: Visit, notices: dict) -> str | None:
    key = visit.query.get("notice")
    return i18n.gettext(notices[key]) if key in notices else None


def _policy(photo_origin: str, form_target: str | None = None) -> str:
    policy = CONTENT_SECURITY_POLICY.replace("img-src 'self' data:", f"img-src 'self' data: {photo_origin}")
    if form_target:
        policy = policy.replace("form-action 'self'", f"form-action 'self' {form_target}")
    return policy


def _with_policy(response: Response, photo_origin: str, form_target: str | None = None) -> Response:
    response.headers["Content-Security-Policy"] = _policy(photo_origin, form_target)
    return response


def photo_redirect(link: str | None) -> Response:
    if link is None:
        raise errors.NotFound()
    return Response(body="", status_code=302, headers={"Location": link,
                                                       "Cache-Control": f"private, max-age={PHOTO_LINK_MAX_AGE_S}",
                                                       "Referrer-Policy": "no-referrer"})


# --- the customer's page ---------------------------------------------------------------------------

def mine_page(account, visit: Visit, values=None, field_errors=None, status=200, problem=None) -> Response:
    from chalicelib.config import settings

    service = visit.services.testimonials
    language = i18n.current_language()
    upload = service.photo_upload_form(account, f"{settings().public_base_url}{MINE}/photo-uploaded")
    if values is None:
        values = {"name": account.name, "company": account.company_name or "", "city": account.city or "",
                  "photo_id": visit.query.get("photo", "")}
    photo = service.candidate_photo(account, values.get("photo_id", "")) if values.get("photo_id") else None
    origin = service.photo_origin()
    response = render_app_page(
        "pages/testimonials_mine.html", account, visit, "/settings", status=status, values=values,
        errors=field_errors or {}, problem=problem, notice=_notice(visit, NOTICES), testimonials=service.mine(account),
        upload=upload, photo=photo, wording=consent_wording(language), wording_version=CONSENT_WORDING_VERSION,
        statuses=TestimonialStatus, status_names=STATUS_NAMES, text_max=TEXT_MAX, detail_max=DETAIL_MAX)
    target = urlsplit(upload["url"])
    return _with_policy(response, origin, f"{target.scheme}://{target.netloc}")


def submit(account, form: dict, visit: Visit) -> Response:
    try:
        data = validate_fields(TestimonialIn, form)
    except errors.ValidationFailed as invalid:
        return mine_page(account, visit, form, messages_by_field(invalid), status=422)
    if form.get("wording_version") != CONSENT_WORDING_VERSION:
        return mine_page(account, visit, {**form, "consent": ""}, {"consent": i18n.gettext(WORDING_CHANGED)},
                         status=409)
    if data.show_photo and (not data.photo_id or visit.services.testimonials.candidate_photo(account, data.photo_id)
                            is None):
        return mine_page(account, visit, {**form, "photo_id": ""}, {"photo": i18n.gettext(PHOTO_GONE)}, status=422)
    visit.services.testimonials.submit(account, data, visit.ip, i18n.current_language())
    return redirect(f"{MINE}?notice=submitted")


def photo_uploaded(account, visit: Visit) -> Response:
    try:
        photo = visit.services.testimonials.finish_photo_upload(account, visit.query.get("upload_id", ""))
    except ScanPending as pending:  # this page comes back by itself once the scanner has judged the photo
        return render_app_page("pages/upload_checking.html", account, visit, "/settings", status=pending.status,
                               retry_after_s=RETRY_AFTER_S, back=MINE)
    except errors.DomainError as refused:
        return mine_page(account, visit, None, {"photo": errors.message_text(refused)}, status=refused.status)
    return redirect(f"{MINE}?notice=photo&photo={photo.photo_id}#new")


def own_photo(account, visit: Visit, photo_id: str) -> Response:
    return photo_redirect(visit.services.testimonials.own_photo_link(account, photo_id))


def _answer(account, visit: Visit, act, notice: str) -> Response:
    try:
        act()
    except errors.Conflict as refused:
        return mine_page(account, visit, problem=errors.message_text(refused), status=refused.status)
    return redirect(f"{MINE}?notice={notice}")


def withdraw(account, visit: Visit, testimonial_id: str) -> Response:
    return _answer(account, visit, lambda: visit.services.testimonials.withdraw(account, testimonial_id, visit.ip),
                   "withdrawn")


def accept(account, form: dict, visit: Visit, testimonial_id: str) -> Response:
    return _answer(account, visit, lambda: visit.services.testimonials.accept(
        account, testimonial_id, form.get("digest", ""), visit.ip, i18n.current_language()), "accepted")


def decline(account, form: dict, visit: Visit, testimonial_id: str) -> Response:
    return _answer(account, visit, lambda: visit.services.testimonials.decline(
        account, testimonial_id, form.get("digest", ""), visit.ip), "declined")


# --- staff -------------------------------------------------------------------------------------------

def staff_list(account, visit: Visit) -> Response:
    service = visit.services.testimonials
    return render_app_page("pages/staff/testimonials.html", account, visit, "/staff",
                           testimonials=service.every(), statuses=TestimonialStatus, status_names=STATUS_NAMES)


def staff_page(account, visit: Visit, testimonial_id: str, values=None, field_errors=None, problem=None,
               status=200) -> Response:
    service = visit.services.testimonials
    testimonial = service.find(testimonial_id)
    latest = testimonial.latest_shown
    shown = testimonial.proposal.shown if testimonial.proposal else latest
    if values is None:
        now = datetime.now(ZoneInfo(STAFF_TIME_ZONE))
        values = {"text": shown.text, "name": shown.name, "company": shown.company, "city": shown.city,
                  "keep_photo": "on" if shown.photo else "", "requested_at": now.strftime("%Y-%m-%dT%H:%M")}
    response = render_app_page(
        "pages/staff/testimonial.html", account, visit, "/staff", status=status, testimonial=testimonial,
        consent=testimonial.current_consent, published=testimonial.shown_publicly(), values=values,
        errors=field_errors or {}, problem=problem, notice=_notice(visit, STAFF_NOTICES),
        statuses=TestimonialStatus, status_names=STATUS_NAMES, text_max=TEXT_MAX, detail_max=DETAIL_MAX,
        wording_of=consent_wording, event_names=EVENT_NAMES,
        detail_names=DETAIL_NAMES)
    return _with_policy(response, service.photo_origin())


def _staff_act(account, visit: Visit, testimonial_id: str, act, notice: str) -> Response:
    try:
        act()
    except errors.Conflict as refused:
        return staff_page(account, visit, testimonial_id, problem=errors.message_text(refused), status=refused.status)
    return redirect(f"{STAFF}/{testimonial_id}?notice={notice}")


def staff_publish(account, form: dict, visit: Visit, testimonial_id: str) -> Response:
    return _staff_act(account, visit, testimonial_id, lambda: visit.services.testimonials.publish(
        account, testimonial_id, form.get("consent_id", ""), visit.ip), "published")


def staff_unpublish(account, visit: Visit, testimonial_id: str) -> Response:
    return _staff_act(account, visit, testimonial_id, lambda: visit.services.testimonials.unpublish(
        account, testimonial_id, visit.ip), "unpublished")


def staff_propose(account, form: dict, visit: Visit, testimonial_id: str) -> Response:
    try:
        data = validate_fields(ProposalIn, form)
    except errors.ValidationFailed as invalid:
        return staff_page(account, visit, testimonial_id, form, messages_by_field(invalid), status=422)
    return _staff_act(account, visit, testimonial_id, lambda: visit.services.testimonials.propose(
        account, testimonial_id, data, visit.ip), "proposed")


def staff_withdraw(account, form: dict, visit: Visit, testimonial_id: str) -> Response:
    try:
        request = validate_fields(WithdrawalRequestIn, form)
    except errors.ValidationFailed as invalid:
        return staff_page(account, visit, testimonial_id, form, messages_by_field(invalid), status=422)
    return _staff_act(account, visit, testimonial_id, lambda: visit.services.testimonials.withdraw_on_request(
        account, testimonial_id, request.requested_by, datetime.fromisoformat(request.requested_at), visit.ip),
        "withdrawn")


def staff_photo(visit: Visit, testimonial_id: str) -> Response:
    return photo_redirect(visit.services.testimonials.staff_photo_link(testimonial_id))


# --- public ------------------------------------------------------------------------------------------

def public_page(services) -> Response:
    from chalicelib.web import render_page

    service = services.testimonials
    shown = service.published()
    return _with_photos(html(render_page("pages/testimonials.html", testimonials=shown)), service, shown)


def public_photo(services, testimonial_id: str) -> Response:
    link = services.testimonials.public_photo_link(testimonial_id)
    if link is None:
        raise errors.NotFound()
    # not cached: an unpublished photo stops being linked at once
    return Response(body="", status_code=302, headers={"Location": link, "Referrer-Policy": "no-referrer",
                                                       "Cache-Control": "no-store"})


def home_page(services, template: str = "pages/home.html") -> Response:
    """The home page with the newest published testimonials (app.py's `home`)."""
    from chalicelib.web import render_page

    service = services.testimonials
    shown = service.published(limit=HOME_PAGE_COUNT)
    return _with_photos(html(render_page(template, testimonials=shown)), service, shown)


def _with_photos(response: Response, service, shown: list) -> Response:
    """The public pages keep the strict default policy unless they show a photo."""
    return _with_policy(response, service.photo_origin()) if any(p.shown.photo for p in shown) else response

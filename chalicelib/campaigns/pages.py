"""The account holder's campaign pages: templates (with preview and test send), images, campaigns
(settings, schedule, pause / resume / cancel, report)."""

import base64
import email.utils
import hashlib
from html.parser import HTMLParser
from urllib.parse import urlsplit

from chalice.app import Response

from chalicelib import errors, i18n
from chalicelib.accounts.page_routes import Visit, redirect, render_app_page
from chalicelib.api import validate_fields
from chalicelib.campaigns.campaigns import HOLD_REASONS, STATE_NAMES, CampaignState
from chalicelib.campaigns.schemas import CampaignIn, TemplateIn
from chalicelib.config import settings
from chalicelib.forms import messages_by_field
from chalicelib.http import CONTENT_SECURITY_POLICY
from chalicelib.i18n import N_
from chalicelib.scanning import RETRY_AFTER_S, ScanPending

NOTICES = {
    "template-saved": N_("The template is saved."),
    "test-sent": N_("A test mail is on its way to your own address."),
    "image-added": N_("The image is added. Use its address in your templates."),
    "image-deleted": N_("The image is deleted."),
    "scheduled": N_("The campaign is scheduled."),
    "sending": N_("The campaign is being sent."),
    "paused": N_("The campaign is paused: nothing more goes out until you resume it."),
    "resumed": N_("The campaign goes on."),
    "cancelled": N_("The campaign is cancelled: nothing more goes out."),
    "saved": N_("The campaign is saved."),
}
# What a preview of customer HTML may do: show itself, its images and its own styles, nothing else
# (no scripts, no forms, no frame around it: it opens in a tab of its own). Mail needs inline styles;
# rather than 'unsafe-inline', the policy names each style the preview holds by its hash.
PREVIEW_POLICY = "sandbox; default-src 'none'; img-src * data:; style-src {styles}; frame-ancestors 'none'"
MAX_STYLE_HASHES = 200  # ~11 kB of header; styles beyond that many different ones are not applied


class _InlineStyles(HTMLParser):
    """The texts of a document's <style> elements and style="" attributes, as a browser hashes them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: dict[str, None] = {}
        self.attributes: dict[str, None] = {}
        self._style_text: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        self.attributes.update((value, None) for name, value in attrs if name == "style" and value)
        if tag == "style":
            self._style_text = []

    def handle_startendtag(self, tag, attrs):
        self.attributes.update((value, None) for name, value in attrs if name == "style" and value)

    def handle_data(self, data):
        if self._style_text is not None:
            self._style_text.append(data)

    def handle_endtag(self, tag):
        if tag == "style" and self._style_text is not None:
            self.elements["".join(self._style_text)] = None
            self._style_text = None


def preview_policy(html: str) -> str:
    """The Content-Security-Policy of a preview of `html`: its own inline styles allowed by hash."""
    styles = _InlineStyles()
    styles.feed(html)
    styles.close()
    hashes = [f"'sha256-{base64.b64encode(hashlib.sha256(text.encode('utf-8')).digest()).decode()}'"
              for text in [*styles.elements, *styles.attributes][:MAX_STYLE_HASHES]]
    sources = (["'unsafe-hashes'"] if styles.attributes else []) + hashes  # hashes for style="" need it (CSP 3)
    return PREVIEW_POLICY.format(styles=" ".join(sources) or "'none'")


def _notice(visit: Visit) -> str | None:
    key = visit.query.get("notice")
    return i18n.gettext(NOTICES[key]) if key in NOTICES else None


# --- templates -------------------------------------------------------------------------------------

def templates_page(account, visit: Visit) -> Response:
    from chalicelib.campaigns.listing import SORT_CHOICES, Listing, page_of

    listing = Listing.from_query(visit.query)
    page = page_of(visit.services.campaign_service.templates(account), listing, visit.query.get("cursor"),
                   "template_id", "updated_at")
    return render_app_page("pages/templates.html", account, visit, "/templates", templates=page.rows,
                           listing=listing, page=page, sort_choices=SORT_CHOICES, notice=_notice(visit))


def template_page(account, visit: Visit, template_id: str | None = None, values=None, field_errors=None,
                  status=200) -> Response:
    template = visit.services.campaign_service.get_template(account, template_id) if template_id else None
    if values is None:
        values = {"name": template.name, "subject": template.subject, "html": template.html,
                  "text": "" if template.text_derived else template.text} if template else {}
    return render_app_page("pages/template.html", account, visit, "/templates", status=status, saved=template,
                           values=values, errors=field_errors or {}, notice=_notice(visit),
                           images=visit.services.assets.list_assets(account.account_id))


def submit_template(account, form: dict, visit: Visit, template_id: str | None = None) -> Response:
    fields = {k: v for k, v in form.items() if k in ("name", "subject", "html", "text")}
    fields["text"] = fields.get("text") or None
    try:
        data = validate_fields(TemplateIn, fields)
        template = visit.services.campaign_service.save_template(account, data, template_id)
    except errors.ValidationFailed as invalid:
        return template_page(account, visit, template_id, form, messages_by_field(invalid), status=422)
    return redirect(f"/templates/{template.template_id}?notice=template-saved")


def template_preview(account, visit: Visit, query: dict, template_id: str) -> Response:
    contact_id = query.get("contact") or None
    if not contact_id and query.get("email"):  # the page's form names a contact by address
        contact = visit.services.audience.contact_by_email(account.account_id, query["email"].strip().lower())
        if contact is None:
            raise errors.NotFound(N_("There is no contact with that address in your account."))
        contact_id = contact.contact_id
    parts = visit.services.campaign_service.preview(account, template_id, contact_id)
    return Response(body=parts.html, status_code=200, headers={"Content-Type": "text/html; charset=utf-8",
                                                               "Content-Security-Policy": preview_policy(parts.html)})


def submit_test_send(account, visit: Visit, template_id: str) -> Response:
    visit.services.campaign_service.test_send(account, template_id)
    return redirect(f"/templates/{template_id}?notice=test-sent")


def submit_template_deletion(account, visit: Visit, template_id: str) -> Response:
    visit.services.campaign_service.delete_template(account, template_id)
    return redirect("/templates")


# --- images ---------------------------------------------------------------------------------------------

def images_page(account, visit: Visit, field_errors=None, status=200) -> Response:
    assets = visit.services.assets
    upload = assets.begin_upload(account.account_id, redirect_to=f"{settings().public_base_url}/images/uploaded")
    target = urlsplit(upload["url"])
    response = render_app_page("pages/images.html", account, visit, "/images", status=status, upload=upload,
                               images=assets.list_assets(account.account_id), usage=assets.usage_bytes(account.account_id),
                               errors=field_errors or {}, notice=_notice(visit))
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {target.scheme}://{target.netloc}")
    return response


def image_uploaded(account, visit: Visit) -> Response:
    query = visit.query
    try:
        visit.services.assets.finish_upload(account.account_id, query.get("upload_id", ""), query.get("name") or "image")
    except ScanPending as pending:  # this page comes back by itself once the scanner has judged it
        return render_app_page("pages/upload_checking.html", account, visit, "/images", status=pending.status,
                               retry_after_s=RETRY_AFTER_S, back="/images")
    except errors.DomainError as refused:
        return images_page(account, visit, {"file": errors.message_text(refused)}, status=refused.status)
    return redirect("/images?notice=image-added")


# Thumbnails are the owner's: kept by their browser only (private), a day, never by a shared cache.
THUMBNAIL_CACHE_CONTROL = "private, max-age=86400"


def image_thumbnail(account, visit: Visit, asset: str) -> Response:
    """A small JPEG or PNG of one of the account's images, for the images page (`img-src 'self'`)."""
    thumbnail = visit.services.assets.thumbnail(account.account_id, asset)
    return Response(body=thumbnail.content, status_code=200, headers={
        "Content-Type": thumbnail.content_type, "Cache-Control": THUMBNAIL_CACHE_CONTROL,
        "X-Content-Type-Options": "nosniff", "Cross-Origin-Resource-Policy": "same-origin",
        "Content-Disposition": f'inline; filename="thumbnail.{thumbnail.extension}"'})


def submit_image_deletion(account, visit: Visit, asset: str) -> Response:
    visit.services.assets.delete_asset(account.account_id, asset)
    return redirect("/images?notice=image-deleted")


# --- campaigns ---------------------------------------------------------------------------------------

def _choices(account, visit: Visit):
    lists = visit.services.audience_service.lists(account)
    templates = visit.services.campaign_service.templates(account)
    domains = visit.services.sending_domains
    shared = i18n.gettext(N_("the shared address (%(address)s)")) % {
        "address": email.utils.parseaddr(settings().mail_from)[1]}
    pending = i18n.gettext(N_("not verified yet"))
    return {"templates": templates, "list_options": [(l.list_id, l.name) for l in lists],
            "template_options": [(t.template_id, t.name) for t in templates],
            "from_domain_options": [("", shared)] + [
                (d.domain, "@" + d.display_name if d.verified else f"@{d.display_name} ({pending})")
                for d in domains.domains(account)]}


def _from_values(campaign) -> dict:
    """The campaign's from address as the form's two fields: local part and domain."""
    if not campaign.from_email:
        return {"from_local_part": "", "from_domain": ""}
    local, _, domain = campaign.from_email.rpartition("@")
    return {"from_local_part": local, "from_domain": domain}


# The status tabs of the campaigns list, in the order a campaign passes them.
STATUS_TABS = (CampaignState.DRAFT, CampaignState.SCHEDULED, CampaignState.SENDING, CampaignState.PAUSED,
               CampaignState.SENT, CampaignState.CANCELLED)


def campaigns_page(account, visit: Visit, values=None, field_errors=None, status=200) -> Response:
    from collections import Counter

    from chalicelib.campaigns.listing import SORT_CHOICES, Listing, page_of

    every = visit.services.campaign_service.campaigns(account)
    listing = Listing.from_query(visit.query, states={state.value for state in CampaignState})
    shown = [c for c in every if listing.state is None or c.state.value == listing.state]
    page = page_of(shown, listing, visit.query.get("cursor"), "campaign_id", "created_at")
    return render_app_page("pages/campaigns.html", account, visit, "/campaigns", status=status,
                           campaigns=page.rows, state_names=STATE_NAMES, listing=listing, page=page,
                           status_tabs=STATUS_TABS, state_counts=Counter(c.state for c in every), total=len(every),
                           sort_choices=SORT_CHOICES,
                           values=values or {}, errors=field_errors or {}, notice=_notice(visit), **_choices(account, visit))


def _campaign_fields(form) -> dict:
    fields = {k: v for k, v in form.items() if k in ("name", "subject", "from_name", "reply_to", "template_id",
                                                      "list_id", "segment_id")}
    fields["tracking"] = form.get("tracking") == "on"
    domain, local_part = (form.get("from_domain") or "").strip(), (form.get("from_local_part") or "").strip()
    if domain:  # else the shared address
        fields["from_email"] = f"{local_part}@{domain}" if local_part else f"@{domain}"
    return fields


def submit_campaign(account, form: dict, visit: Visit) -> Response:
    try:
        campaign = visit.services.campaign_service.create_campaign(account, validate_fields(CampaignIn,
                                                                                        _campaign_fields(form)))
    except errors.ValidationFailed as invalid:
        return campaigns_page(account, visit, form, messages_by_field(invalid), status=422)
    return redirect(f"/campaigns/{campaign.campaign_id}")


def campaign_page(account, visit: Visit, campaign_id: str, values=None, field_errors=None, status=200) -> Response:
    service = visit.services.campaign_service
    campaign = service.get_campaign(account, campaign_id)
    if values is None:
        values = {"name": campaign.name, "subject": campaign.subject, "from_name": campaign.from_name,
                  "reply_to": campaign.reply_to or "", "template_id": campaign.template_id or "",
                  "list_id": campaign.list_id or "", "segment_id": campaign.segment_id or "",
                  "tracking": "on" if campaign.tracking else "", **_from_values(campaign)}
    report = service.report(account, campaign_id)
    settled = sum(report.get(k, 0) for k in ("sent", "failed", "unknown", "skipped"))
    peak = max([max(r["sent"], r["opens"], r["clicks"]) for r in report["timeline"]] or [0]) or 1
    return render_app_page("pages/campaign.html", account, visit, "/campaigns", status=status, campaign=campaign,
                           states=CampaignState, state_names=STATE_NAMES, hold_reasons=HOLD_REASONS, values=values,
                           errors=field_errors or {},
                           notice=_notice(visit), report=report, settled=settled, peak=peak,
                           refresh=campaign.state is CampaignState.SENDING, **_choices(account, visit))


def submit_campaign_update(account, form: dict, visit: Visit, campaign_id: str) -> Response:
    try:
        visit.services.campaign_service.update_campaign(account, campaign_id,
                                                    validate_fields(CampaignIn, _campaign_fields(form)))
    except errors.ValidationFailed as invalid:
        return campaign_page(account, visit, campaign_id, form, messages_by_field(invalid), status=422)
    return redirect(f"/campaigns/{campaign_id}?notice=saved")


def count_text(number: int) -> str:
    """A count as the page's language writes it: 1,234 or 1.234."""
    text = f"{number:,}"
    return text.replace(",", ".") if i18n.current_language() == "nl" else text


def local_time_text(moment, time_zone: str = "Europe/Amsterdam") -> str:
    """A moment as the account holder reads it: day-month-year hours:minutes, in Amsterdam time."""
    from zoneinfo import ZoneInfo

    return moment.astimezone(ZoneInfo(time_zone)).strftime("%d-%m-%Y %H:%M")


def review_page(account, visit: Visit, review, notice: str | None = None, status: int = 200) -> Response:
    """The summary of a campaign about to go out, with the one button that sends it (review.py)."""
    return render_app_page("pages/campaign_review.html", account, visit, "/campaigns", status=status, review=review,
                           recipients_text=count_text(review.recipients), notice=notice,
                           when_text=local_time_text(review.send_at) if review.send_at else "",
                           test_sent_text=local_time_text(review.test_sent_at) if review.test_sent_at else "")


def submit_schedule(account, form: dict, visit: Visit, campaign_id: str) -> Response:
    """Send now or later: without a review token, the review; with one, as reviewed (review.py)."""
    from chalicelib.campaigns.review import ReviewOutdated
    from chalicelib.campaigns.service import send_time

    reviews = visit.services.campaign_reviews
    try:
        if not form.get("review_token"):
            when = None if form.get("when") != "later" else send_time(form.get("date", ""), form.get("time", ""))
            return review_page(account, visit, reviews.review(account, campaign_id, when))
        try:
            campaign = reviews.confirm(account, campaign_id, form["review_token"])
        except ReviewOutdated as outdated:
            params = {name: count_text(value) for name, value in outdated.params.items()}
            return review_page(account, visit, outdated.review, i18n.gettext(outdated.message) % params, status=409)
    except errors.ValidationFailed as invalid:
        return campaign_page(account, visit, campaign_id, None, messages_by_field(invalid), status=422)
    notice = "scheduled" if campaign.state is CampaignState.SCHEDULED else "sending"
    return redirect(f"/campaigns/{campaign_id}?notice={notice}")


def submit_campaign_test_send(account, visit: Visit, campaign_id: str) -> Response:
    try:
        visit.services.campaign_service.test_send_campaign(account, campaign_id)
    except errors.ValidationFailed as invalid:
        return campaign_page(account, visit, campaign_id, None, messages_by_field(invalid), status=422)
    return redirect(f"/campaigns/{campaign_id}?notice=test-sent")


def submit_state_change(account, visit: Visit, campaign_id: str, action: str) -> Response:
    service = visit.services.campaign_service
    {"pause": service.pause, "resume": service.resume, "cancel": service.cancel}[action](account, campaign_id)
    return redirect(f"/campaigns/{campaign_id}?notice={ {'pause': 'paused', 'resume': 'resumed', 'cancel': 'cancelled'}[action]}")

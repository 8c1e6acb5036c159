"""The pages subscribers see: the hosted sign-up form, the confirmation, unsubscribe and preferences.
No login and no cookies; the signed token in the link is the only key.

They are the sender's pages, not MailExpert's: `layouts/subscriber.html` names the sender (the
account's company, else its holder) at the top, and MailExpert only in a small footer."""

from chalice.app import Response

from chalicelib import errors, i18n
from chalicelib.accounts.page_routes import Visit
from chalicelib.api import validate_fields
from chalicelib.audience.schemas import SignUpIn
from chalicelib.audience.service import sender_name
from chalicelib.audience.signing import ALL_LISTS
from chalicelib.forms import messages_by_field
from chalicelib.http import EMBEDDABLE_CONTENT_SECURITY_POLICY, html
from chalicelib.web import render_page

ONE_CLICK_BODY = ("List-Unsubscribe", "One-Click")


def _form_page(account, visit: Visit, audience_list, values=None, field_errors=None, sent=False, status=200) -> Response:
    service = visit.services.audience_service
    return html(render_page("pages/signup_form.html", audience_list=audience_list, values=values or {},
                            errors=field_errors or {}, sent=sent, sender=sender_name(account),
                            consent_text=service.consent_text(account, i18n.current_language())), status=status,
                headers={"Content-Security-Policy": EMBEDDABLE_CONTENT_SECURITY_POLICY})  # customers frame it


def signup_form(visit: Visit, list_id: str) -> Response:
    account, audience_list = visit.services.audience_service.public_list(list_id)
    return _form_page(account, visit, audience_list)


def submit_signup(form: dict, visit: Visit, list_id: str) -> Response:
    service = visit.services.audience_service
    account, audience_list = service.public_list(list_id)
    try:
        data = validate_fields(SignUpIn, {k: v for k, v in form.items() if k in ("email", "first_name")})
    except errors.ValidationFailed as invalid:
        return _form_page(account, visit, audience_list, values=form, field_errors=messages_by_field(invalid), status=422)
    service.sign_up(list_id, data, honeypot=form.get("website", ""), language=i18n.current_language(),
                    ip=visit.ip, user_agent=visit.user_agent)
    return _form_page(account, visit, audience_list, sent=True)


def confirmation_page(visit: Visit, token: str) -> Response:
    pending = visit.services.audience_service.pending_confirmation(token)
    sender, audience_list = pending or ("", None)
    return html(render_page("pages/signup_confirm.html", token=token, confirmed=False, sender=sender,
                            list_name=audience_list.name if audience_list else ""))


def submit_confirmation(form: dict, visit: Visit) -> Response:
    service = visit.services.audience_service
    audience_list, _ = service.confirm_subscription(form.get("token", ""), visit.ip, visit.user_agent)
    return html(render_page("pages/signup_confirm.html", token="", confirmed=True, list_name=audience_list.name,
                            sender=service.sender_name(audience_list.account_id)))


def _campaign_of(visit: Visit) -> str:
    """The campaign whose mail held the link (?c=): only counted for that campaign's report."""
    campaign_id = visit.query.get("c", "")
    return campaign_id if campaign_id.isalnum() and len(campaign_id) <= 64 else ""


def unsubscribe_page(visit: Visit, token: str) -> Response:
    account, contact, _, _ = visit.services.audience_service.subscriber(token)
    return html(render_page("pages/unsubscribe.html", token=token, email=contact.email, done=False,
                            campaign_id=_campaign_of(visit), sender=sender_name(account)))


def submit_unsubscribe(visit: Visit, token: str) -> Response:
    """RFC 8058 one-click: a POST unsubscribes at once, before answering, whatever its body."""
    service = visit.services.audience_service
    left = service.unsubscribe(token, visit.ip)
    campaign_id = _campaign_of(visit)
    account, _, _, _ = service.subscriber(token)
    if left and campaign_id:
        visit.services.campaign_service.count_unsubscribe(account.account_id, campaign_id)
    return html(render_page("pages/unsubscribe.html", token=token, email="", done=True, campaign_id="",
                            sender=sender_name(account)))


def preferences_page(visit: Visit, token: str, saved=False) -> Response:
    service = visit.services.audience_service
    account, contact, memberships, _ = service.subscriber(token)
    names = {l.list_id: l.name for l in service.lists(account)}
    subscriptions = [(m.list_id, names.get(m.list_id, "?"), m.status.value) for m in memberships]
    return html(render_page("pages/preferences.html", token=token, email=contact.email, saved=saved,
                            sender=sender_name(account), subscriptions=subscriptions))


def submit_preferences(form: dict, visit: Visit, token: str) -> Response:
    leave = form.get("leave", "")
    visit.services.audience_service.unsubscribe(token, visit.ip,
                                            list_ids=ALL_LISTS if leave == ALL_LISTS else [leave])
    return preferences_page(visit, token, saved=True)

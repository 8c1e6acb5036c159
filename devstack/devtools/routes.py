"""Dev-only routes (stage `local`): the outbox, a test-mail form, and firing a job now."""

import json
from chalice import Blueprint, Response

from chalicelib import errors, i18n
from chalicelib.composition import services
from chalicelib.accounts.page_routes import PageRoutes, redirect
from chalicelib.config import settings
from chalicelib.validation import normalised_email
from chalicelib.delivery.events_store import as_dict
from chalicelib.delivery.mail import MailRequest
from chalicelib.delivery.service import queue_mail
from devstack.devtools.mailbox_simulator import SIMULATOR_DOMAIN
from devstack.devtools.outbox import Outbox
from chalicelib.forms import FORM, parse_form
from chalicelib.http import html
from chalicelib.i18n import N_
from chalicelib.operations.jobs import run_job
from chalicelib.web import render_page

dev = Blueprint(__name__)
pages = PageRoutes(dev, services)

SIMULATOR_ADDRESSES = tuple(f"{name}@{SIMULATOR_DOMAIN}"
                            for name in ("success", "bounce", "complaint", "suppressionlist", "ooto"))
# The HTML part of a mail is shown in a sandboxed frame with a policy of its own: mails carry
# inline styles, and their images may come from anywhere; scripts never run.
MAIL_PREVIEW_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src * data:; frame-ancestors 'self'"

DEV_NAVIGATION = (("/dev/outbox", N_("Outbox")), ("/dev/jobs", N_("Jobs")))
SHOWN_MAILS = 200


def outbox() -> Outbox:
    return Outbox(settings().outbox_path)


def _with_events(mail: dict) -> dict:
    return {**mail, "events": [as_dict(e) for e in services().mail_events.for_message(mail["message_id"])]}


def _shown_mails() -> list[dict]:
    """The newest mails (?limit=, 200 at most by default), or those to one address (?to=), each with
    its SES events: after a campaign the outbox holds thousands, each a lookup of its events."""
    query = dev.current_request.query_params or {}
    mails = outbox().mails()
    if query.get("to"):
        mails = [m for m in mails if query["to"] in m["to"]]
    limit = int(query["limit"]) if query.get("limit", "").isdigit() else SHOWN_MAILS
    return [_with_events(m) for m in mails[:limit]]


@dev.route("/outbox.json", methods=["GET"])
def outbox_json():
    return Response(body=json.dumps(_shown_mails(), ensure_ascii=False), headers={"Content-Type": "application/json"})


@dev.route("/outbox", methods=["GET"])
def outbox_page():
    mails = _shown_mails()
    return html(render_page("dev/outbox.html", mails=mails, simulator_addresses=SIMULATOR_ADDRESSES,
                            navigation=DEV_NAVIGATION, current="/dev/outbox"))


@dev.route("/outbox/{message_id}", methods=["GET"])
def outbox_mail_page(message_id):
    mail = outbox().find(message_id)
    if mail is None:
        raise errors.NotFound(N_("There is no mail with that id in the outbox."))
    return html(render_page("dev/outbox_mail.html", mail=_with_events(mail), navigation=DEV_NAVIGATION,
                            current="/dev/outbox"))


@dev.route("/outbox/{message_id}/html", methods=["GET"])
def outbox_mail_html(message_id):
    mail = outbox().find(message_id)
    if mail is None or not mail.get("html"):
        raise errors.NotFound(N_("This mail has no HTML part."))
    return Response(body=mail["html"], headers={"Content-Type": "text/html; charset=utf-8",
                                                "Content-Security-Policy": MAIL_PREVIEW_POLICY,
                                                "X-Frame-Options": "SAMEORIGIN"})


@dev.route("/test-mail", methods=["POST"], content_types=[FORM, "application/json"])
def send_test_mail():
    request = dev.current_request
    form = _form(request)
    try:
        address = normalised_email((form.get("to") or "").strip())
    except ValueError as invalid:
        raise errors.ValidationFailed(field_errors=[errors.FieldError("to", str(invalid))]) from None
    queue_message_id = queue_mail(services().mail_queue, MailRequest(
        template="test_mail", to=(address,), language=form.get("language") or i18n.current_language(),
        context={"note": (form.get("note") or "")[:500]}))
    if request.headers.get("content-type", "").startswith("application/json"):
        return Response(body=json.dumps({"queue_message_id": queue_message_id}), status_code=202,
                        headers={"Content-Type": "application/json"})
    return Response(body="", status_code=303, headers={"Location": "/dev/outbox"})


@dev.route("/jobs", methods=["GET"])
def jobs_page():
    runs = {name: services().job_runs.latest(name, limit=5) for name in services().scheduled_jobs()}
    return html(render_page("dev/jobs.html", runs=runs, navigation=DEV_NAVIGATION, current="/dev/jobs"))


@dev.route("/jobs/{name}", methods=["POST"], content_types=[FORM, "application/json"])
def fire_job(name):
    run = run_job(name, services().job_runs, services().scheduled_jobs())
    if dev.current_request.headers.get("content-type", "").startswith("application/json"):
        return Response(body=json.dumps({"job": run.job, "status": run.status.value, "summary": run.summary}),
                        headers={"Content-Type": "application/json"})
    return Response(body="", status_code=303, headers={"Location": "/dev/jobs"})


@pages.page("/sending-domains/{domain}/verify", methods=["POST"])
def verify_sending_domain(account, form, visit, domain):
    """Stands in for publishing the DNS records (there is no DNS here): SES then answers that the
    domain is verified, and the domain is checked at once, as "Check now" would."""
    from devstack.devtools import local_verifications

    found = services().sending_domains.get(account, domain)  # only the account's own domain
    local_verifications().mark(found.domain)
    checked = services().sending_domains.check(account, found.domain)
    return redirect(f"/domains/{checked.domain}?notice={checked.status.value}")


def _form(request) -> dict:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = request.json_body
        return body if isinstance(body, dict) else {}
    return parse_form(request.raw_body)

"""MailExpert's Lambda entry points: routes and event handlers that parse, call a service, answer."""

import json
import os

from chalice import Chalice, Cron, Response

from chalicelib import aws, errors, http, i18n, resources, services
from chalicelib.api import ApiRoutes
from chalicelib.contact.schemas import ContactMessageAccepted, ContactMessageIn
from chalicelib.forms import FORM
from chalicelib.config import LOCAL_STAGE, settings
from chalicelib.web import render_page
from chalicelib.web.static import static_asset

app = Chalice(app_name="mailexpert")
app.register_middleware(http.http_middleware, "http")
for event_type in ("sqs", "sns", "scheduled"):
    app.register_middleware(http.event_middleware, event_type)
api = ApiRoutes(app)


# --- pages -------------------------------------------------------------------------------------

@app.route("/")
def home():
    return http.html(render_page("pages/home.html"))


@app.route("/contact", methods=["GET"])
def contact():
    from chalicelib.contact.pages import contact_page

    sent = (app.current_request.query_params or {}).get("sent") == "1"
    return contact_page(settings().support_address, sent=sent)


@app.route("/contact", methods=["POST"], content_types=[FORM])
def contact_form():
    from chalicelib.contact.pages import submit_contact_form

    return submit_contact_form(app.current_request.raw_body, services.mail_queue(), settings().support_address)


@app.route("/static/{name}")
def static(name):
    return static_asset(name)


@app.route("/health")
def health():
    from chalicelib.health import check_health

    report, healthy = check_health(aws.dynamodb(), settings().table_names)
    return Response(body=json.dumps(report), status_code=200 if healthy else 503,
                    headers={"Content-Type": "application/json", "Cache-Control": "no-store"})


@app.route("/{proxy+}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found():
    """Every address nothing else answers: a friendly 404 page (problem details under /api)."""
    raise errors.NotFound()


# --- API ---------------------------------------------------------------------------------------

@app.route("/api/v1/openapi.json")
def openapi():
    return Response(body=json.dumps(api.openapi()), headers={"Content-Type": "application/json"})


@api.route("/contact-messages", "POST", summary="Send a question to MailExpert's support team",
           request=ContactMessageIn, response=ContactMessageAccepted, status=202, tags=["contact"])
def create_contact_message(message: ContactMessageIn):
    from chalicelib.contact.service import submit_contact_message

    reference = submit_contact_message(message, i18n.current_language(), services.mail_queue(),
                                       settings().support_address)
    return ContactMessageAccepted(status="queued", reference=reference)


# --- events ------------------------------------------------------------------------------------

@app.on_sqs_message(queue=resources.MAIL_QUEUE, batch_size=10)
def on_mail_message(event):
    from chalicelib.delivery.service import deliver_mail_batch

    return deliver_mail_batch(((r.to_dict()["messageId"], r.body) for r in event), services.mail_sender())


@app.on_sns_message(topic=resources.SES_EVENTS_TOPIC)
def on_ses_event(event):
    from chalicelib.delivery.service import record_ses_event

    record_ses_event(event.message, services.mail_events())


@app.schedule(Cron(0, 3, "*", "*", "?", "*"), name="daily_backup")
def daily_backup(event):
    from chalicelib.operations.jobs import run_job

    run_job("daily-backup", services.job_runs())


# --- local stage only: outbox, mailbox simulator, dev pages -------------------------------------

if os.environ.get("STAGE") == LOCAL_STAGE:
    from chalicelib.devtools import install

    install(app)

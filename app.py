"""MailExpert's Lambda entry points: the app, its blueprints (one per domain, each with its pages
and /api/v1 routes), the routes no domain owns, and the event handlers.

Event handlers stay on the app itself: their names are the Lambda functions of the packaged
template, and they get the app's event middleware.
"""

import json
import os

from chalice import Chalice, Cron, Rate, Response

from chalicelib import aws, errors, http, resources
from chalicelib.composition import services
from chalicelib.accounts import routes as accounts
from chalicelib.analytics import routes as analytics
from chalicelib.api import openapi_document
from chalicelib.audience import routes as audience
from chalicelib.campaigns import routes as campaigns
from chalicelib.config import LOCAL_STAGE, settings
from chalicelib.consent import routes as consent
from chalicelib.contact import routes as contact
from chalicelib.news import routes as news
from chalicelib.partner_statistics import routes as partner_statistics
from chalicelib.notices import routes as notices
from chalicelib.sending_domains import routes as sending_domains
from chalicelib.staff import routes as staff
from chalicelib.testimonials import routes as testimonials
from chalicelib.usage import routes as usage
from chalicelib.web.static import static_asset

DOMAINS = (accounts, audience, campaigns, sending_domains, contact, staff, news, notices, partner_statistics,
           testimonials, consent, usage, analytics)

app = Chalice(app_name="mailexpert")
# API Gateway returns a binary body (thumbnails, the open pixel) only when the request's FIRST Accept
# type is a binary media type; browsers ask for images with "image/avif,image/webp,...".
app.api.binary_types.append("image/*")
app.register_middleware(http.http_middleware, "http")
for event_type in ("sqs", "sns", "scheduled"):
    app.register_middleware(http.event_middleware, event_type)
for domain in DOMAINS:
    app.register_blueprint(domain.routes)


@app.route("/")
def home():
    from chalicelib.testimonials.pages import home_page

    return home_page(services())


@app.route("/static/{name}")
def static(name):
    return static_asset(name)


@app.route("/health")
def health():
    from chalicelib.health import check_health

    report, healthy = check_health(aws.dynamodb(), settings().table_names)
    report["malware_scanner"] = services().upload_scan.scanner_name  # P8: which scanner judges uploads here
    return Response(body=json.dumps(report), status_code=200 if healthy else 503,
                    headers={"Content-Type": "application/json", "Cache-Control": "no-store"})


@app.route("/{proxy+}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found():
    """Every address nothing else answers: a friendly 404 page (problem details under /api)."""
    raise errors.NotFound()


@app.route("/api/v1/openapi.json")
def openapi():
    document = openapi_document(domain.api for domain in DOMAINS if domain.api)
    return Response(body=json.dumps(document), headers={"Content-Type": "application/json"})


# --- events ------------------------------------------------------------------------------------

@app.on_sqs_message(queue=resources.MAIL_QUEUE, batch_size=10)
def on_mail_message(event):
    from chalicelib.delivery.service import deliver_mail_batch

    return deliver_mail_batch(((r.to_dict()["messageId"], r.body) for r in event), services().mail_sender)


@app.on_sqs_message(queue=resources.JOBS_QUEUE, batch_size=1)
def on_job_message(event):
    from chalicelib.jobs import run_jobs

    return run_jobs(((r.to_dict()["messageId"], r.body) for r in event), services().job_handlers())


@app.on_sns_message(topic=resources.SES_EVENTS_TOPIC)
def on_ses_event(event):
    services().ses_events.record(event.message)


@app.on_sqs_message(queue=resources.CAMPAIGN_SEND_QUEUE, batch_size=2)
def on_campaign_send(event):
    from chalicelib.delivery.campaign_sender import handle_send_records

    return handle_send_records(((r.to_dict()["messageId"], r.body) for r in event), services().campaign_sender)


@app.schedule(Rate(1, unit=Rate.MINUTES), name="campaign_scheduler")
def campaign_scheduler(event):
    services().campaign_service.start_due()


@app.schedule(Cron(0, 3, "*", "*", "?", "*"), name="daily_backup")
def daily_backup(event):
    from chalicelib.operations.jobs import run_job

    run_job("daily-backup", services().job_runs)


@app.schedule(Cron(30, 7, "*", "*", "?", "*"), name="account_notices")
def account_notices(event):
    """Daily: resume MailExpert's own mail to its account holders until every one has it: the notice of
    every announced, not yet effective policy version (P17), and the week's service announcements
    (P16) and product news (P4)."""
    from chalicelib.operations.jobs import run_job

    jobs = services().scheduled_jobs()
    run_job("policy-notices", services().job_runs, jobs)
    run_job("news-mail", services().job_runs, jobs)


@app.schedule(Cron(30, "*", "*", "*", "?", "*"), name="table_export")
def table_export(event):
    """Hourly: starts the day's full export of every table once, finishes running ones, prunes."""
    from chalicelib.operations.jobs import run_job

    run_job("table-export", services().job_runs)


@app.schedule(Cron(0, 4, "?", "*", "SUN", "*"), name="usage_recount")
def usage_recount(event):
    """Weekly: every account's usage gauges counted again from what is stored; drifted ones set right."""
    from chalicelib.operations.jobs import run_job

    run_job("usage-recount", services().job_runs, services().scheduled_jobs())


# --- local stage only: outbox, mailbox simulator, dev pages -------------------------------------

if os.environ.get("STAGE") == LOCAL_STAGE:
    from devstack.devtools import install

    install(app)

"""MailExpert's Lambda entry points: routes and event handlers that parse, call a service, answer."""

import json
import os

from chalice import Chalice, Cron, Rate, Response

from chalicelib import aws, errors, http, i18n, resources, services
from chalicelib.accounts.schemas import (Accepted, AccountOut, CampaignTrackingIn, EmailChangeIn, ErasureIn,
                                         ExportOut, LoginIn, NewPasswordIn, PasswordChangeIn, PasswordIn,
                                         PasswordResetRequestIn, PlanIn, ProductNewsIn, ProfileIn, RegistrationAccepted,
                                         RegistrationIn, SessionOut, TokenIn)
from chalicelib.api import ApiRoutes
from chalicelib.campaigns.schemas import CampaignIn, CampaignOut, ScheduleIn, TemplateIn, TemplateOut
from chalicelib.audience.schemas import (ContactIn, ContactOut, ContactPage, CustomFieldIn, CustomFieldOut, ImportOut,
                                         ImportStartIn, ListIn, ListOut, SegmentIn, SegmentOut, SuppressionIn)
from chalicelib.contact.schemas import ContactMessageAccepted, ContactMessageIn
from chalicelib.sending_domains.schemas import DomainIn, DomainOut, MailFromIn
from chalicelib.forms import FORM
from chalicelib.config import LOCAL_STAGE, settings
from chalicelib.web import render_page
from chalicelib.web.static import static_asset

TRANSPARENT_GIF = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"  # 1x1, the open pixel
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


@app.route("/register", methods=["GET"])
def registration():
    from chalicelib.accounts.pages import registration_page

    return registration_page()


@app.route("/register", methods=["POST"], content_types=[FORM])
def register():
    from chalicelib.accounts.pages import submit_registration

    return submit_registration(app.current_request)


@app.route("/register/check-inbox", methods=["GET"])
def registration_done():
    from chalicelib.accounts.pages import check_inbox_page

    return check_inbox_page()


@app.route("/verify-email", methods=["GET"])
def verification():
    from chalicelib.accounts.pages import verification_page

    return verification_page((app.current_request.query_params or {}).get("token", ""))


@app.route("/verify-email", methods=["POST"], content_types=[FORM])
def verify_email():
    from chalicelib.accounts.pages import submit_verification

    return submit_verification(app.current_request)


@app.route("/login", methods=["GET"])
def login():
    from chalicelib.accounts.pages import login_page

    query = app.current_request.query_params or {}
    return login_page(query.get("next"), notice=query.get("notice"))


@app.route("/login", methods=["POST"], content_types=[FORM])
def log_in():
    from chalicelib.accounts.pages import submit_login

    return submit_login(app.current_request)


@app.route("/login/second-factor", methods=["GET"])
def second_factor():
    from chalicelib.accounts.pages import second_factor_page

    return second_factor_page((app.current_request.query_params or {}).get("next"))


@app.route("/login/second-factor", methods=["POST"], content_types=[FORM])
def submit_second_factor():
    from chalicelib.accounts.pages import submit_second_factor

    return submit_second_factor(app.current_request)


@app.route("/settings/2fa/start", methods=["POST"], content_types=[FORM])
def start_two_factor():
    from chalicelib.accounts.pages import submit_two_factor_start

    return submit_two_factor_start(app.current_request)


@app.route("/settings/2fa/confirm", methods=["POST"], content_types=[FORM])
def confirm_two_factor():
    from chalicelib.accounts.pages import submit_two_factor_confirmation

    return submit_two_factor_confirmation(app.current_request)


@app.route("/settings/2fa/disable", methods=["POST"], content_types=[FORM])
def disable_two_factor():
    from chalicelib.accounts.pages import submit_two_factor_disable

    return submit_two_factor_disable(app.current_request)


@app.route("/logout", methods=["POST"], content_types=[FORM])
def log_out():
    from chalicelib.accounts.pages import log_out

    return log_out(app.current_request)


@app.route("/app", methods=["GET"])
def overview():
    from chalicelib.accounts.pages import overview_page

    return overview_page(app.current_request)


@app.route("/app/resend-verification", methods=["POST"], content_types=[FORM])
def resend_verification():
    from chalicelib.accounts.pages import resend_verification

    return resend_verification(app.current_request)


@app.route("/settings", methods=["GET"])
def account_settings():
    from chalicelib.accounts.pages import settings_page

    return settings_page(app.current_request, notice=(app.current_request.query_params or {}).get("notice"))


@app.route("/settings/profile", methods=["POST"], content_types=[FORM])
def update_profile():
    from chalicelib.accounts.pages import submit_profile

    return submit_profile(app.current_request)


@app.route("/settings/password", methods=["POST"], content_types=[FORM])
def change_password():
    from chalicelib.accounts.pages import submit_password_change

    return submit_password_change(app.current_request)


@app.route("/settings/devices/forget", methods=["POST"], content_types=[FORM])
def forget_device():
    from chalicelib.accounts.pages import submit_forget_device

    return submit_forget_device(app.current_request)


@app.route("/settings/product-news", methods=["POST"], content_types=[FORM])
def product_news():
    from chalicelib.accounts.pages import submit_product_news

    return submit_product_news(app.current_request)


@app.route("/settings/campaign-tracking", methods=["POST"], content_types=[FORM])
def campaign_tracking():
    from chalicelib.accounts.pages import submit_campaign_tracking

    return submit_campaign_tracking(app.current_request)


@app.route("/settings/plan", methods=["POST"], content_types=[FORM])
def change_plan():
    from chalicelib.accounts.pages import submit_plan

    return submit_plan(app.current_request)


@app.route("/settings/email", methods=["POST"], content_types=[FORM])
def change_email():
    from chalicelib.accounts.pages import submit_email_change

    return submit_email_change(app.current_request)


@app.route("/settings/email/confirm", methods=["GET"])
def email_change_confirmation():
    from chalicelib.accounts.pages import email_change_page

    return email_change_page((app.current_request.query_params or {}).get("token", ""))


@app.route("/settings/email/confirm", methods=["POST"], content_types=[FORM])
def confirm_email_change():
    from chalicelib.accounts.pages import submit_email_change_confirmation

    return submit_email_change_confirmation(app.current_request)


@app.route("/settings/deactivate", methods=["POST"], content_types=[FORM])
def deactivate_account():
    from chalicelib.accounts.pages import submit_deactivation

    return submit_deactivation(app.current_request)


@app.route("/settings/export", methods=["POST"], content_types=[FORM])
def request_data_export():
    from chalicelib.accounts.pages import submit_export_request

    return submit_export_request(app.current_request)


@app.route("/settings/exports/{export_id}", methods=["GET"])
def download_data_export(export_id):
    from chalicelib.accounts.pages import download_export

    return download_export(app.current_request, export_id)


@app.route("/settings/erase", methods=["POST"], content_types=[FORM])
def erase_account():
    from chalicelib.accounts.pages import submit_erasure

    return submit_erasure(app.current_request)


@app.route("/reactivate", methods=["GET"])
def reactivation():
    from chalicelib.accounts.pages import reactivation_page

    return reactivation_page(app.current_request)


@app.route("/reactivate", methods=["POST"], content_types=[FORM])
def reactivate_account():
    from chalicelib.accounts.pages import submit_reactivation

    return submit_reactivation(app.current_request)


@app.route("/password/forgot", methods=["GET"])
def forgot_password():
    from chalicelib.accounts.pages import forgot_password_page

    return forgot_password_page()


@app.route("/password/forgot", methods=["POST"], content_types=[FORM])
def request_password_reset():
    from chalicelib.accounts.pages import submit_forgot_password

    return submit_forgot_password(app.current_request)


@app.route("/password/reset", methods=["GET"])
def password_reset():
    from chalicelib.accounts.pages import reset_password_page

    return reset_password_page((app.current_request.query_params or {}).get("token", ""))


@app.route("/password/reset", methods=["POST"], content_types=[FORM])
def reset_password():
    from chalicelib.accounts.pages import submit_reset_password

    return submit_reset_password(app.current_request)


# --- campaigns: templates, images, campaigns --------------------------------------------------

def _campaign_pages():
    from chalicelib.campaigns import pages

    return pages


@app.route("/templates", methods=["GET"])
def templates():
    return _campaign_pages().templates_page(app.current_request)


@app.route("/templates", methods=["POST"], content_types=[FORM])
def create_template():
    return _campaign_pages().submit_template(app.current_request)


@app.route("/templates/new", methods=["GET"])
def new_template():
    return _campaign_pages().template_page(app.current_request)


@app.route("/templates/{template_id}", methods=["GET"])
def template(template_id):
    return _campaign_pages().template_page(app.current_request, template_id)


@app.route("/templates/{template_id}", methods=["POST"], content_types=[FORM])
def update_template(template_id):
    return _campaign_pages().submit_template(app.current_request, template_id)


@app.route("/templates/{template_id}/preview", methods=["GET"])
def template_preview(template_id):
    return _campaign_pages().template_preview(app.current_request, template_id)


@app.route("/templates/{template_id}/test", methods=["POST"], content_types=[FORM])
def template_test_send(template_id):
    return _campaign_pages().submit_test_send(app.current_request, template_id)


@app.route("/templates/{template_id}/delete", methods=["POST"], content_types=[FORM])
def delete_template(template_id):
    return _campaign_pages().submit_template_deletion(app.current_request, template_id)


@app.route("/images", methods=["GET"])
def images():
    return _campaign_pages().images_page(app.current_request)


@app.route("/images/uploaded", methods=["GET"])
def image_uploaded():
    return _campaign_pages().image_uploaded(app.current_request)


@app.route("/images/{asset}/delete", methods=["POST"], content_types=[FORM])
def delete_image(asset):
    return _campaign_pages().submit_image_deletion(app.current_request, asset)


@app.route("/campaigns", methods=["GET"])
def campaigns():
    return _campaign_pages().campaigns_page(app.current_request)


@app.route("/campaigns", methods=["POST"], content_types=[FORM])
def create_campaign():
    return _campaign_pages().submit_campaign(app.current_request)


@app.route("/campaigns/{campaign_id}", methods=["GET"])
def campaign(campaign_id):
    return _campaign_pages().campaign_page(app.current_request, campaign_id)


@app.route("/campaigns/{campaign_id}", methods=["POST"], content_types=[FORM])
def update_campaign(campaign_id):
    return _campaign_pages().submit_campaign_update(app.current_request, campaign_id)


@app.route("/campaigns/{campaign_id}/schedule", methods=["POST"], content_types=[FORM])
def schedule_campaign(campaign_id):
    return _campaign_pages().submit_schedule(app.current_request, campaign_id)


@app.route("/campaigns/{campaign_id}/{action}", methods=["POST"], content_types=[FORM])
def change_campaign_state(campaign_id, action):
    if action == "test":
        return _campaign_pages().submit_campaign_test_send(app.current_request, campaign_id)
    if action not in ("pause", "resume", "cancel"):
        from chalicelib import errors

        raise errors.NotFound()
    return _campaign_pages().submit_state_change(app.current_request, campaign_id, action)


# --- sending domains: the account's own SES identities ------------------------------------------

def _domain_pages():
    from chalicelib.sending_domains import pages

    return pages


@app.route("/domains", methods=["GET"])
def sending_domains():
    return _domain_pages().domains_page(app.current_request)


@app.route("/domains", methods=["POST"], content_types=[FORM])
def add_sending_domain():
    return _domain_pages().submit_domain(app.current_request)


@app.route("/domains/{domain}", methods=["GET"])
def sending_domain(domain):
    return _domain_pages().domain_page(app.current_request, domain)


@app.route("/domains/{domain}/check", methods=["POST"], content_types=[FORM])
def check_sending_domain(domain):
    return _domain_pages().submit_check(app.current_request, domain)


@app.route("/domains/{domain}/mail-from", methods=["POST"], content_types=[FORM])
def set_sending_domain_mail_from(domain):
    return _domain_pages().submit_mail_from(app.current_request, domain)


@app.route("/domains/{domain}/delete", methods=["POST"], content_types=[FORM])
def remove_sending_domain(domain):
    return _domain_pages().submit_removal(app.current_request, domain)


# --- audience: lists, contacts, suppression -----------------------------------------------------

@app.route("/lists", methods=["GET"])
def lists():
    from chalicelib.audience.pages import lists_page

    return lists_page(app.current_request)


@app.route("/lists", methods=["POST"], content_types=[FORM])
def create_list():
    from chalicelib.audience.pages import submit_list

    return submit_list(app.current_request)


@app.route("/lists/{list_id}", methods=["GET"])
def audience_list(list_id):
    from chalicelib.audience.pages import list_page

    return list_page(app.current_request, list_id)


@app.route("/lists/{list_id}/contacts", methods=["POST"], content_types=[FORM])
def add_contact(list_id):
    from chalicelib.audience.pages import submit_contact

    return submit_contact(app.current_request, list_id)


@app.route("/lists/{list_id}/export", methods=["POST"], content_types=[FORM])
def export_list(list_id):
    from chalicelib.audience.pages import submit_list_export

    return submit_list_export(app.current_request, list_id)


@app.route("/lists/{list_id}/imports", methods=["GET"])
def new_import(list_id):
    from chalicelib.audience.import_pages import new_import_page

    return new_import_page(app.current_request, list_id)


@app.route("/lists/{list_id}/imports/{import_id}/uploaded", methods=["GET"])
def import_uploaded(list_id, import_id):
    from chalicelib.audience.import_pages import uploaded

    return uploaded(app.current_request, list_id, import_id)


@app.route("/lists/{list_id}/imports/{import_id}", methods=["GET"])
def contact_import(list_id, import_id):
    from chalicelib.audience.import_pages import import_page

    return import_page(app.current_request, list_id, import_id)


@app.route("/lists/{list_id}/imports/{import_id}", methods=["POST"], content_types=[FORM])
def start_contact_import(list_id, import_id):
    from chalicelib.audience.import_pages import submit_import

    return submit_import(app.current_request, list_id, import_id)


@app.route("/lists/{list_id}/imports/{import_id}/report", methods=["GET"])
def contact_import_report(list_id, import_id):
    from chalicelib.audience.import_pages import import_report

    return import_report(app.current_request, list_id, import_id)


@app.route("/fields", methods=["GET"])
def custom_fields_list():
    from chalicelib.audience.field_pages import fields_page

    return fields_page(app.current_request)


@app.route("/fields", methods=["POST"], content_types=[FORM])
def create_custom_field():
    from chalicelib.audience.field_pages import submit_field

    return submit_field(app.current_request)


@app.route("/fields/{key}/delete", methods=["POST"], content_types=[FORM])
def delete_custom_field(key):
    from chalicelib.audience.field_pages import submit_field_deletion

    return submit_field_deletion(app.current_request, key)


@app.route("/lists/{list_id}/segments", methods=["GET"])
def list_segments(list_id):
    from chalicelib.audience.segment_pages import segments_page

    return segments_page(app.current_request, list_id)


@app.route("/lists/{list_id}/segments", methods=["POST"], content_types=[FORM])
def create_segment(list_id):
    from chalicelib.audience.segment_pages import submit_segment

    return submit_segment(app.current_request, list_id)


@app.route("/lists/{list_id}/segments/{segment_id}", methods=["GET"])
def segment_details(list_id, segment_id):
    from chalicelib.audience.segment_pages import segment_page

    return segment_page(app.current_request, list_id, segment_id)


@app.route("/lists/{list_id}/segments/{segment_id}/export", methods=["POST"], content_types=[FORM])
def export_segment(list_id, segment_id):
    from chalicelib.audience.segment_pages import submit_segment_export

    return submit_segment_export(app.current_request, list_id, segment_id)


@app.route("/lists/{list_id}/segments/{segment_id}/delete", methods=["POST"], content_types=[FORM])
def delete_segment(list_id, segment_id):
    from chalicelib.audience.segment_pages import submit_segment_deletion

    return submit_segment_deletion(app.current_request, list_id, segment_id)


@app.route("/contacts", methods=["GET"])
def contacts():
    from chalicelib.audience.pages import contacts_page

    return contacts_page(app.current_request)


@app.route("/contacts/{contact_id}", methods=["GET"])
def contact_details(contact_id):
    from chalicelib.audience.pages import contact_page

    return contact_page(app.current_request, contact_id)


@app.route("/contacts/{contact_id}/export", methods=["GET"])
def contact_export(contact_id):
    from chalicelib.audience.pages import contact_export

    return contact_export(app.current_request, contact_id)


@app.route("/contacts/{contact_id}/erase", methods=["POST"], content_types=[FORM])
def erase_contact(contact_id):
    from chalicelib.audience.pages import submit_contact_erasure

    return submit_contact_erasure(app.current_request, contact_id)


@app.route("/suppression", methods=["GET"])
def suppression():
    from chalicelib.audience.pages import suppression_page

    return suppression_page(app.current_request)


@app.route("/suppression", methods=["POST"], content_types=[FORM])
def add_suppressions():
    from chalicelib.audience.pages import submit_suppressions

    return submit_suppressions(app.current_request)


# --- subscribers: sign-up forms, confirmation, unsubscribe (no login, no cookies) ----------------

@app.route("/f/confirm", methods=["GET"])
def subscription_confirmation():
    from chalicelib.audience.public_pages import confirmation_page

    return confirmation_page((app.current_request.query_params or {}).get("token", ""))


@app.route("/f/confirm", methods=["POST"], content_types=[FORM])
def confirm_subscription():
    from chalicelib.audience.public_pages import submit_confirmation

    return submit_confirmation(app.current_request)


@app.route("/f/{list_id}", methods=["GET"])
def signup_form(list_id):
    from chalicelib.audience.public_pages import signup_form

    return signup_form(list_id)


@app.route("/f/{list_id}", methods=["POST"], content_types=[FORM])
def sign_up(list_id):
    from chalicelib.audience.public_pages import submit_signup

    return submit_signup(app.current_request, list_id)


# --- campaign tracking (P14): public, the signed token is the key -----------------------------

@app.route("/t/o/{token}", methods=["GET"])
def tracking_pixel(token):
    import base64

    services.tracking().opened(token)
    accept = (app.current_request.headers.get("accept") or "").lower()
    if "*/*" not in accept and "image/gif" not in accept:  # API Gateway sends binary only to who accepts it
        return Response(body="", status_code=204, headers={"Cache-Control": "no-store, private"})
    return Response(body=base64.b64decode(TRANSPARENT_GIF), status_code=200,
                    headers={"Content-Type": "image/gif", "Cache-Control": "no-store, private"})


@app.route("/t/c/{token}", methods=["GET"])
def tracked_link(token):
    return Response(body="", status_code=302, headers={"Location": services.tracking().clicked(token),
                                                        "Cache-Control": "no-store, private",
                                                        "Referrer-Policy": "no-referrer"})


@app.route("/i/{name}", methods=["GET"])
def campaign_image(name):
    """An image in a campaign mail: a short-lived link to it in the (private) assets bucket."""
    target = services.assets().image_redirect_url(name)
    if target is None:
        from chalicelib import errors

        raise errors.NotFound()
    return Response(body="", status_code=302, headers={"Location": target, "Cache-Control": "public, max-age=1800"})


@app.route("/u/{token}", methods=["GET"])
def unsubscribe_page(token):
    from chalicelib.audience.public_pages import unsubscribe_page

    return unsubscribe_page(app.current_request, token)


@app.route("/u/{token}", methods=["POST"], content_types=[FORM, "multipart/form-data"])
def unsubscribe(token):
    from chalicelib.audience.public_pages import submit_unsubscribe

    return submit_unsubscribe(app.current_request, token)


@app.route("/u/{token}/preferences", methods=["GET"])
def subscription_preferences(token):
    from chalicelib.audience.public_pages import preferences_page

    return preferences_page(token)


@app.route("/u/{token}/preferences", methods=["POST"], content_types=[FORM])
def update_subscription_preferences(token):
    from chalicelib.audience.public_pages import submit_preferences

    return submit_preferences(app.current_request, token)


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


@api.route("/accounts", "POST", summary="Register an account; a verification link is mailed",
           request=RegistrationIn, response=RegistrationAccepted, status=202, tags=["accounts"])
def create_account(data: RegistrationIn):
    from chalicelib.accounts import api as accounts_api

    accounts_api.register(app.current_request, data)
    return RegistrationAccepted(status="check-your-inbox")


@api.route("/session", "POST", summary="Log in: sets the session cookie and returns the CSRF token",
           request=LoginIn, response=SessionOut, tags=["accounts"], errors_=(400, 401, 429))
def create_session(login: LoginIn):
    from chalicelib.accounts import api as accounts_api

    return accounts_api.start_session(app.current_request, login)


@api.route("/session", "DELETE", summary="Log out: ends the session", tags=["accounts"], status=204,
           signed_in=True)
def delete_session(caller):
    from chalicelib.accounts import api as accounts_api

    return accounts_api.end_session(app.current_request, caller)


@api.route("/me", "GET", summary="The signed-in account", response=AccountOut, tags=["accounts"], signed_in=True)
def me(caller):
    from chalicelib.accounts.api import account_out

    return account_out(caller[0])


@api.route("/me/profile", "PUT", summary="Change the account holder's details", request=ProfileIn,
           response=AccountOut, tags=["accounts"], signed_in=True)
def put_profile(profile: ProfileIn, caller):
    from chalicelib.accounts.api import account_out
    from chalicelib.http import client_ip

    account = services.account_service().update_profile(caller[0], profile, client_ip(app.current_request))
    return account_out(account)


@api.route("/me/product-news", "PUT", summary="Opt in to or out of MailExpert's product news (consent is recorded)",
           request=ProductNewsIn, response=AccountOut, tags=["settings"], signed_in=True)
def put_product_news(choice: ProductNewsIn, caller):
    from chalicelib.accounts.api import account_out
    from chalicelib.http import client_ip

    services.account_service().set_product_news(caller[0], choice.opted_in, i18n.current_language(),
                                                client_ip(app.current_request))
    return account_out(caller[0])


@api.route("/me/campaign-tracking", "PUT", summary="Whether your campaigns count opens and clicks (P14)",
           request=CampaignTrackingIn, response=AccountOut, tags=["settings"], signed_in=True)
def put_campaign_tracking(choice: CampaignTrackingIn, caller):
    from chalicelib.accounts.api import account_out
    from chalicelib.http import client_ip

    services.account_service().set_campaign_tracking(caller[0], choice.on, client_ip(app.current_request))
    return account_out(caller[0])


@api.route("/me/plan", "PUT", summary="Choose a service package", request=PlanIn, response=AccountOut,
           tags=["settings"], signed_in=True)
def put_plan(choice: PlanIn, caller):
    from chalicelib.accounts.api import account_out
    from chalicelib.http import client_ip

    services.account_service().change_plan(caller[0], choice.plan, client_ip(app.current_request))
    return account_out(caller[0])


@api.route("/me/email-change", "POST", summary="Change the e-mail address: a link goes to the new address",
           request=EmailChangeIn, response=Accepted, status=202, tags=["settings"], signed_in=True)
def request_email_change(change: EmailChangeIn, caller):
    from chalicelib.http import client_ip

    services.account_service().request_email_change(caller[0], change.new_email, change.password,
                                                    client_ip(app.current_request))
    return Accepted(status="check-the-new-inbox")


@api.route("/email-changes", "POST", summary="Confirm an e-mail change with the token from the mail",
           request=TokenIn, response=AccountOut, tags=["settings"])
def confirm_email_change_api(link: TokenIn):
    from chalicelib.accounts.api import account_out
    from chalicelib.http import client_ip

    return account_out(services.account_service().confirm_email_change(link.token, client_ip(app.current_request)))


@api.route("/email-verifications", "POST", summary="Confirm the e-mail address with the token from the mail",
           request=TokenIn, response=AccountOut, tags=["accounts"])
def verify_email_api(link: TokenIn):
    from chalicelib.accounts.api import account_out
    from chalicelib.http import client_ip

    return account_out(services.account_service().verify_email(link.token, client_ip(app.current_request)))


@api.route("/me/password", "PUT", summary="Change the password; every other session and device is signed out",
           request=PasswordChangeIn, response=SessionOut, tags=["settings"], signed_in=True)
def put_password(change: PasswordChangeIn, caller):
    from chalicelib.accounts import api as accounts_api

    return accounts_api.change_password(app.current_request, caller[0], change)


@api.route("/password-resets", "POST", summary="Mail a link to set a new password (same answer for any address)",
           request=PasswordResetRequestIn, response=Accepted, status=202, tags=["accounts"])
def request_password_reset_api(reset: PasswordResetRequestIn):
    from chalicelib.http import client_ip

    services.account_service().request_password_reset(reset.email, client_ip(app.current_request))
    return Accepted(status="check-your-inbox")


@api.route("/password-resets/confirm", "POST", summary="Set a new password with the token from the mail",
           request=NewPasswordIn, status=204, tags=["accounts"])
def reset_password_api(reset: NewPasswordIn):
    from chalicelib.http import client_ip

    services.account_service().reset_password(reset.token, reset.new_password, client_ip(app.current_request))


@api.route("/me/devices", "GET", summary="Devices that remember the login", tags=["settings"], signed_in=True)
def list_devices(caller):
    from chalicelib.accounts.api import devices_out

    return [d.model_dump() for d in devices_out(caller[0])]


@api.route("/me/devices/{device_id}", "DELETE", summary="Forget a remembered device", status=204,
           tags=["settings"], signed_in=True, errors_=(404,))
def forget_device_api(device_id, caller):
    from chalicelib.http import client_ip

    services.account_service().forget_device(caller[0], device_id, client_ip(app.current_request))


@api.route("/me/deactivation", "POST", summary="Deactivate the account (log in again to reactivate)",
           request=PasswordIn, status=204, tags=["settings"], signed_in=True)
def deactivate_api(confirmation: PasswordIn, caller):
    from chalicelib.http import client_ip

    services.account_service().deactivate(caller[0], confirmation.password, client_ip(app.current_request))


@api.route("/me/reactivation", "POST", summary="Reactivate a deactivated account", response=AccountOut,
           tags=["settings"], signed_in=True)
def reactivate_api(caller):
    from chalicelib.accounts.api import account_out
    from chalicelib.http import client_ip

    services.account_service().reactivate(caller[0], client_ip(app.current_request))
    return account_out(caller[0])


@api.route("/me/exports", "POST", summary="Prepare a download of all my data", response=ExportOut, status=202,
           tags=["data rights"], signed_in=True)
def request_export_api(caller):
    from chalicelib.accounts.api import export_out
    from chalicelib.http import client_ip

    export = services.data_rights().request_export(caller[0], client_ip(app.current_request))
    return export_out(app.current_request, caller[0], export)


@api.route("/me/exports/{export_id}", "GET", summary="An export's progress, and its download link once ready",
           response=ExportOut, tags=["data rights"], signed_in=True, errors_=(404,))
def get_export_api(export_id, caller):
    from chalicelib import errors
    from chalicelib.accounts.api import export_out

    export = services.data_rights().export(caller[0], export_id)
    if export is None:
        raise errors.NotFound()
    return export_out(app.current_request, caller[0], export, with_link=True)


@api.route("/me", "DELETE", summary="Erase the account and all its data, irreversibly", request=ErasureIn,
           status=204, tags=["data rights"], signed_in=True)
def erase_api(erasure: ErasureIn, caller):
    from chalicelib.accounts import api as accounts_api

    accounts_api.erase(app.current_request, caller[0], erasure)


@api.route("/lists", "GET", summary="The account's lists", tags=["audience"], signed_in=True)
def api_lists(caller):
    from chalicelib.audience.api import list_out

    return [list_out(l).model_dump() for l in services.audience_service().lists(caller[0])]


@api.route("/lists", "POST", summary="Create a list", request=ListIn, response=ListOut, status=201,
           tags=["audience"], signed_in=True)
def api_create_list(data: ListIn, caller):
    from chalicelib.audience.api import list_out

    return list_out(services.audience_service().create_list(caller[0], data))


@api.route("/lists/{list_id}", "GET", summary="One list", response=ListOut, tags=["audience"], signed_in=True,
           errors_=(404,))
def api_list(list_id, caller):
    from chalicelib.audience.api import list_out

    return list_out(services.audience_service().get_list(caller[0], list_id))


@api.route("/lists/{list_id}/members", "GET", summary="A page of a list's members (?status=, ?cursor=)",
           response=ContactPage, tags=["audience"], signed_in=True, errors_=(404,))
def api_members(list_id, caller):
    from chalicelib.audience.api import contact_page
    from chalicelib.audience.audience import MemberStatus

    query = app.current_request.query_params or {}
    status = MemberStatus(query["status"]) if query.get("status") in {s.value for s in MemberStatus} else None
    members, cursor = services.audience_service().members(caller[0], list_id, status, query.get("cursor"))
    return contact_page(caller[0], members, cursor)


@api.route("/lists/{list_id}/contacts", "POST", summary="Add a contact (double opt-in unless a lawful basis is given)",
           request=ContactIn, response=ContactOut, status=201, tags=["audience"], signed_in=True, errors_=(404,))
def api_add_contact(data: ContactIn, list_id, caller):
    from chalicelib.audience.api import contact_out
    from chalicelib.audience.audience import ConsentSource
    from chalicelib.http import client_ip

    request = app.current_request
    membership = services.audience_service().add_contact(caller[0], list_id, data, ConsentSource.API,
                                                         client_ip(request), request.headers.get("user-agent"))
    contact = services.audience_service().get_contact(caller[0], membership.contact_id)
    return contact_out(caller[0], contact, with_lists=True)


@api.route("/lists/{list_id}/exports", "POST", summary="Prepare a CSV file of the list's members with consent",
           response=ExportOut, status=202, tags=["audience"], signed_in=True, errors_=(404,))
def api_export_list(list_id, caller):
    from chalicelib.accounts.api import export_out

    audience_list = services.audience_service().get_list(caller[0], list_id)
    return export_out(app.current_request, caller[0], services.list_exports().request(caller[0], audience_list))


@api.route("/lists/{list_id}/imports", "POST", summary="Begin a CSV import: returns the form that uploads the file",
           response=ImportOut, status=201, tags=["audience"], signed_in=True, errors_=(404,))
def api_begin_import(list_id, caller):
    from chalicelib.audience.api import import_out

    return import_out(*services.contact_imports().begin(caller[0], list_id))


@api.route("/imports/{import_id}", "GET", summary="An import: suggested mapping once the file is there, then progress",
           response=ImportOut, tags=["audience"], signed_in=True, errors_=(404,))
def api_import(import_id, caller):
    from chalicelib.audience.api import import_out
    from chalicelib.audience.imports import ImportNotReady

    try:
        return import_out(services.contact_imports().file_received(caller[0], import_id))
    except ImportNotReady:
        return import_out(services.contact_imports().get(caller[0], import_id))


@api.route("/imports/{import_id}/start", "POST", summary="Start an import with a mapping and a declared lawful basis",
           request=ImportStartIn, response=ImportOut, status=202, tags=["audience"], signed_in=True,
           errors_=(404, 409, 422))
def api_start_import(data, import_id, caller):
    from chalicelib.audience.api import import_out
    from chalicelib.http import client_ip

    request = app.current_request
    return import_out(services.contact_imports().start(caller[0], import_id, data.mapping, data.declared,
                                                       data.lawful_basis, client_ip(request),
                                                       request.headers.get("user-agent")))


@api.route("/imports/{import_id}/report", "GET", summary="A short-lived link to the import's per-row report (CSV)",
           tags=["audience"], signed_in=True, errors_=(404, 409))
def api_import_report(import_id, caller):
    return {"url": services.contact_imports().report_url(caller[0], import_id)}


@api.route("/fields", "GET", summary="The account's custom fields", tags=["audience"], signed_in=True)
def api_custom_fields(caller):
    from chalicelib.audience.api import custom_field_out

    return [custom_field_out(f).model_dump() for f in services.custom_fields().fields(caller[0])]


@api.route("/fields", "POST", summary="Define a custom field (text, number, date or boolean); at most 50",
           request=CustomFieldIn, response=CustomFieldOut, status=201, tags=["audience"], signed_in=True)
def api_create_custom_field(data: CustomFieldIn, caller):
    from chalicelib.audience.api import custom_field_out

    return custom_field_out(services.custom_fields().create(caller[0], data.label, data.field_type))


@api.route("/fields/{key}", "DELETE", summary="Delete a custom field; contacts keep their values as text",
           status=204, tags=["audience"], signed_in=True, errors_=(404,))
def api_delete_custom_field(key, caller):
    services.custom_fields().delete(caller[0], key)


@api.route("/lists/{list_id}/segments", "GET", summary="A list's segments", tags=["audience"], signed_in=True,
           errors_=(404,))
def api_list_segments(list_id, caller):
    from chalicelib.audience.api import segment_out

    return [segment_out(s).model_dump() for s in services.segments().segments(caller[0], list_id)]


@api.route("/lists/{list_id}/segments", "POST", summary="Save a segment: the list's members matching conditions",
           request=SegmentIn, response=SegmentOut, status=201, tags=["audience"], signed_in=True, errors_=(404,))
def api_create_segment(data: SegmentIn, list_id, caller):
    from chalicelib.audience.api import segment_out

    return segment_out(services.segments().create(caller[0], list_id, data))


@api.route("/segments/{segment_id}", "GET", summary="One segment", response=SegmentOut, tags=["audience"],
           signed_in=True, errors_=(404,))
def api_segment(segment_id, caller):
    from chalicelib.audience.api import segment_out

    return segment_out(services.segments().get(caller[0], segment_id))


@api.route("/segments/{segment_id}", "PUT", summary="Change a segment's name and conditions", request=SegmentIn,
           response=SegmentOut, tags=["audience"], signed_in=True, errors_=(404,))
def api_update_segment(data: SegmentIn, segment_id, caller):
    from chalicelib.audience.api import segment_out

    return segment_out(services.segments().update(caller[0], segment_id, data))


@api.route("/segments/{segment_id}", "DELETE", summary="Delete a segment (its contacts stay on the list)",
           status=204, tags=["audience"], signed_in=True, errors_=(404,))
def api_delete_segment(segment_id, caller):
    services.segments().delete(caller[0], segment_id)


@api.route("/segments/{segment_id}/members", "GET", summary="About a page of the subscribed members that match "
           "(?cursor=); a page may hold fewer while next_cursor goes on", response=ContactPage, tags=["audience"],
           signed_in=True, errors_=(404,))
def api_segment_members(segment_id, caller):
    from chalicelib.audience.api import contact_page

    cursor = (app.current_request.query_params or {}).get("cursor")
    return contact_page(caller[0], *services.segments().members(caller[0], segment_id, cursor))


@api.route("/segments/{segment_id}/exports", "POST", summary="Prepare a CSV file of the segment's members with consent",
           response=ExportOut, status=202, tags=["audience"], signed_in=True, errors_=(404,))
def api_export_segment(segment_id, caller):
    from chalicelib.accounts.api import export_out

    segment = services.segments().get(caller[0], segment_id)
    audience_list = services.audience_service().get_list(caller[0], segment.list_id)
    export = services.list_exports().request(caller[0], audience_list, segment)
    return export_out(app.current_request, caller[0], export)


@api.route("/contacts", "GET", summary="A page of contacts (?search= by address prefix, ?cursor=)",
           response=ContactPage, tags=["audience"], signed_in=True)
def api_contacts(caller):
    from chalicelib.audience.api import contact_page

    query = app.current_request.query_params or {}
    contacts, cursor = services.audience_service().contacts(caller[0], query.get("cursor"), query.get("search"))
    return contact_page(caller[0], contacts, cursor)


@api.route("/contacts/{contact_id}", "GET", summary="One contact with its lists", response=ContactOut,
           tags=["audience"], signed_in=True, errors_=(404,))
def api_contact(contact_id, caller):
    from chalicelib.audience.api import contact_out

    return contact_out(caller[0], services.audience_service().get_contact(caller[0], contact_id), with_lists=True)


@api.route("/contacts/{contact_id}/data", "GET", summary="Everything kept about one contact (their data request)",
           tags=["audience"], signed_in=True, errors_=(404,))
def api_contact_data(contact_id, caller):
    return services.audience_service().contact_data(caller[0], contact_id)


@api.route("/contacts/{contact_id}", "DELETE", summary="Erase a contact; only a hash stays on the suppression list",
           status=204, tags=["audience"], signed_in=True, errors_=(404,))
def api_erase_contact(contact_id, caller):
    services.audience_service().erase_contact(caller[0], contact_id)


@api.route("/suppression", "GET", summary="A page of the suppression list (?cursor=)", tags=["audience"],
           signed_in=True)
def api_suppressions(caller):
    entries, cursor = services.audience_service().suppressions(caller[0], (app.current_request.query_params or {}).get("cursor"))
    return {"suppressions": [{"email": e.email, "reason": e.reason.value, "since": e.at.isoformat()} for e in entries],
            "next_cursor": cursor}


@api.route("/suppression", "POST", summary="Add addresses to the suppression list", request=SuppressionIn,
           tags=["audience"], signed_in=True)
def api_add_suppressions(data: SuppressionIn, caller):
    added, refused = services.audience_service().suppress_addresses(caller[0], data.emails)
    return {"added": added, "not_addresses": refused}


@api.route("/templates", "GET", summary="The account's templates", tags=["campaigns"], signed_in=True)
def api_templates(caller):
    from chalicelib.campaigns.api import template_out

    return [template_out(t).model_dump() for t in services.campaign_service().templates(caller[0])]


@api.route("/templates", "POST", summary="Save a new template (checked, sanitised, CSS inlined)", request=TemplateIn,
           response=TemplateOut, status=201, tags=["campaigns"], signed_in=True)
def api_create_template(data, caller):
    from chalicelib.campaigns.api import template_out

    return template_out(services.campaign_service().save_template(caller[0], data))


@api.route("/templates/{template_id}", "PUT", summary="Change a template", request=TemplateIn, response=TemplateOut,
           tags=["campaigns"], signed_in=True, errors_=(404,))
def api_update_template(data, template_id, caller):
    from chalicelib.campaigns.api import template_out

    services.campaign_service().get_template(caller[0], template_id)
    return template_out(services.campaign_service().save_template(caller[0], data, template_id))


@api.route("/templates/{template_id}/preview", "GET", summary="The template as a contact (?contact=) would get it",
           tags=["campaigns"], signed_in=True, errors_=(404,))
def api_preview_template(template_id, caller):
    contact = (app.current_request.query_params or {}).get("contact")
    parts = services.campaign_service().preview(caller[0], template_id, contact)
    return {"subject": parts.subject, "html": parts.html, "text": parts.text}


@api.route("/images", "GET", summary="The account's images, with the address to use in templates",
           tags=["campaigns"], signed_in=True)
def api_images(caller):
    from chalicelib.campaigns.api import asset_out

    return [asset_out(a) for a in services.assets().list_assets(caller[0].account_id)]


@api.route("/images", "POST", summary="Begin an image upload: post the file with these form fields to `url`",
           status=201, tags=["campaigns"], signed_in=True)
def api_begin_image(caller):
    return services.assets().begin_upload(caller[0].account_id)


@api.route("/images/{upload_id}/finish", "POST", summary="Check the uploaded image and keep a clean copy (?name=)",
           status=201, tags=["campaigns"], signed_in=True, errors_=(404, 413, 422))
def api_finish_image(upload_id, caller):
    from chalicelib.campaigns.api import asset_out

    name = (app.current_request.query_params or {}).get("name")
    return asset_out(services.assets().finish_upload(caller[0].account_id, upload_id, name))


@api.route("/campaigns", "GET", summary="The account's campaigns", tags=["campaigns"], signed_in=True)
def api_campaigns(caller):
    from chalicelib.campaigns.api import campaign_out

    return [campaign_out(caller[0], c).model_dump(mode="json") for c in services.campaign_service().campaigns(caller[0])]


@api.route("/campaigns", "POST", summary="A new campaign (a draft)", request=CampaignIn, response=CampaignOut,
           status=201, tags=["campaigns"], signed_in=True, errors_=(404,))
def api_create_campaign(data, caller):
    from chalicelib.campaigns.api import campaign_out

    return campaign_out(caller[0], services.campaign_service().create_campaign(caller[0], data))


@api.route("/campaigns/{campaign_id}", "GET", summary="A campaign with its report", response=CampaignOut,
           tags=["campaigns"], signed_in=True, errors_=(404,))
def api_campaign(campaign_id, caller):
    from chalicelib.campaigns.api import campaign_out

    return campaign_out(caller[0], services.campaign_service().get_campaign(caller[0], campaign_id), report=True)


@api.route("/campaigns/{campaign_id}/test", "POST", summary="Send the campaign's template to your own address, "
           "from the campaign's from name and address", status=202, tags=["campaigns"], signed_in=True,
           errors_=(403, 404, 422))
def api_test_campaign(campaign_id, caller):
    services.campaign_service().test_send_campaign(caller[0], campaign_id)
    return {"sent_to": caller[0].email}


@api.route("/campaigns/{campaign_id}/schedule", "POST", summary="Send now, or at `send_at`", request=ScheduleIn,
           response=CampaignOut, tags=["campaigns"], signed_in=True, errors_=(404, 409))
def api_schedule_campaign(data, campaign_id, caller):
    from chalicelib.campaigns.api import campaign_out

    return campaign_out(caller[0], services.campaign_service().schedule(caller[0], campaign_id, data.send_at))


@api.route("/campaigns/{campaign_id}/pause", "POST", summary="Pause: nothing more goes out within seconds",
           response=CampaignOut, tags=["campaigns"], signed_in=True, errors_=(404, 409))
def api_pause_campaign(campaign_id, caller):
    from chalicelib.campaigns.api import campaign_out

    return campaign_out(caller[0], services.campaign_service().pause(caller[0], campaign_id))


@api.route("/campaigns/{campaign_id}/resume", "POST", summary="Resume a paused campaign", response=CampaignOut,
           tags=["campaigns"], signed_in=True, errors_=(404, 409))
def api_resume_campaign(campaign_id, caller):
    from chalicelib.campaigns.api import campaign_out

    return campaign_out(caller[0], services.campaign_service().resume(caller[0], campaign_id))


@api.route("/campaigns/{campaign_id}/cancel", "POST", summary="Cancel: nothing more goes out", response=CampaignOut,
           tags=["campaigns"], signed_in=True, errors_=(404, 409))
def api_cancel_campaign(campaign_id, caller):
    from chalicelib.campaigns.api import campaign_out

    return campaign_out(caller[0], services.campaign_service().cancel(caller[0], campaign_id))


@api.route("/domains", "GET", summary="The account's own sending domains, with their DNS records and status",
           tags=["sending domains"], signed_in=True)
def api_sending_domains(caller):
    from chalicelib.sending_domains.api import domain_out

    return [domain_out(d).model_dump(mode="json") for d in services.sending_domains().domains(caller[0])]


@api.route("/domains", "POST", summary="Add a domain: creates its SES identity (Easy DKIM); publish the records "
           "it answers with", request=DomainIn, response=DomainOut, status=201, tags=["sending domains"],
           signed_in=True, errors_=(403, 409))
def api_add_sending_domain(data, caller):
    from chalicelib.sending_domains.api import domain_out

    return domain_out(services.sending_domains().add(caller[0], data.domain))


@api.route("/domains/{domain}", "GET", summary="One sending domain, as last checked", response=DomainOut,
           tags=["sending domains"], signed_in=True, errors_=(404,))
def api_sending_domain(domain, caller):
    from chalicelib.sending_domains.api import domain_out

    return domain_out(services.sending_domains().get(caller[0], domain))


@api.route("/domains/{domain}/check", "POST", summary="Ask Amazon SES now whether the domain is verified",
           response=DomainOut, tags=["sending domains"], signed_in=True, errors_=(404,))
def api_check_sending_domain(domain, caller):
    from chalicelib.sending_domains.api import domain_out

    return domain_out(services.sending_domains().check(caller[0], domain))


@api.route("/domains/{domain}/mail-from", "PUT", summary="Set (or with an empty subdomain, clear) a custom MAIL "
           "FROM subdomain; publish the MX and SPF records it answers with", request=MailFromIn, response=DomainOut,
           tags=["sending domains"], signed_in=True, errors_=(404, 409, 503))
def api_set_sending_domain_mail_from(data, domain, caller):
    from chalicelib.sending_domains.api import domain_out

    return domain_out(services.sending_domains().set_mail_from(caller[0], domain, data.subdomain))


@api.route("/domains/{domain}", "DELETE", summary="Remove a domain (refused while a campaign on its way uses it)",
           status=204, tags=["sending domains"], signed_in=True, errors_=(404, 409))
def api_remove_sending_domain(domain, caller):
    services.sending_domains().remove(caller[0], domain)


# --- events ------------------------------------------------------------------------------------

@app.on_sqs_message(queue=resources.MAIL_QUEUE, batch_size=10)
def on_mail_message(event):
    from chalicelib.delivery.service import deliver_mail_batch

    return deliver_mail_batch(((r.to_dict()["messageId"], r.body) for r in event), services.mail_sender())


@app.on_sqs_message(queue=resources.JOBS_QUEUE, batch_size=1)
def on_job_message(event):
    from chalicelib.jobs import run_jobs

    return run_jobs((r.to_dict()["messageId"], r.body) for r in event)


@app.on_sns_message(topic=resources.SES_EVENTS_TOPIC)
def on_ses_event(event):
    services.ses_events().record(event.message)


@app.on_sqs_message(queue=resources.CAMPAIGN_SEND_QUEUE, batch_size=2)
def on_campaign_send(event):
    from chalicelib.campaigns.sender import handle_send_records

    return handle_send_records(((r.to_dict()["messageId"], r.body) for r in event), services.campaign_sender())


@app.schedule(Rate(1, unit=Rate.MINUTES), name="campaign_scheduler")
def campaign_scheduler(event):
    services.campaign_service().start_due()


@app.schedule(Cron(0, 3, "*", "*", "?", "*"), name="daily_backup")
def daily_backup(event):
    from chalicelib.operations.jobs import run_job

    run_job("daily-backup", services.job_runs())


# --- local stage only: outbox, mailbox simulator, dev pages -------------------------------------

if os.environ.get("STAGE") == LOCAL_STAGE:
    from chalicelib.devtools import install

    install(app)

"""Routes of accounts: registration, log-in, sessions, settings, data rights (pages and /api/v1)."""

from chalice import Blueprint

from chalicelib import i18n
from chalicelib.composition import services
from chalicelib.accounts.schemas import (Accepted, AccountOut, CampaignTrackingIn, EmailChangeIn, ErasureIn,
                                         ExportOut, LoginIn, NewPasswordIn, PasswordChangeIn, PasswordIn,
                                         PasswordResetRequestIn, PlanIn, ProductNewsIn, ProfileIn, RegistrationAccepted,
                                         RegistrationIn, SessionOut, TokenIn)
from chalicelib.accounts.page_routes import PageRoutes
from chalicelib.accounts.web import api_caller
from chalicelib.api import ApiRoutes

routes = Blueprint(__name__)
api = ApiRoutes(routes, api_caller(services))
pages = PageRoutes(routes, services)


@pages.page("/register", signed_in=False)
def registration(account, query, visit):
    from chalicelib.accounts.pages import registration_page

    return registration_page(banners=visit.services.public_banners())


@pages.page("/register", methods=["POST"], signed_in=False)
def register(account, form, visit):
    from chalicelib.accounts.pages import submit_registration

    return submit_registration(form, visit)


@pages.page("/register/check-inbox", signed_in=False)
def registration_done(account, query, visit):
    from chalicelib.accounts.pages import check_inbox_page

    return check_inbox_page()


@pages.page("/verify-email", signed_in=False)
def verification(account, query, visit):
    from chalicelib.accounts.pages import verification_page

    return verification_page(query.get("token", ""))


@pages.page("/verify-email", methods=["POST"], signed_in=False)
def verify_email(account, form, visit):
    from chalicelib.accounts.pages import submit_verification

    return submit_verification(form, visit)


@pages.page("/login", signed_in=False)
def login(account, query, visit):
    from chalicelib.accounts.pages import login_page

    return login_page(query.get("next"), notice=query.get("notice"), banners=visit.services.public_banners())


@pages.page("/login", methods=["POST"], signed_in=False)
def log_in(account, form, visit):
    from chalicelib.accounts.pages import submit_login

    return submit_login(form, visit)


@pages.page("/login/second-factor", signed_in=False)
def second_factor(account, query, visit):
    from chalicelib.accounts.pages import second_factor_page

    return second_factor_page(query.get("next"))


@pages.page("/login/second-factor", methods=["POST"], signed_in=False)
def submit_second_factor(account, form, visit):
    from chalicelib.accounts.pages import submit_second_factor

    return submit_second_factor(form, visit)


@pages.page("/settings/2fa/start", methods=["POST"])
def start_two_factor(account, form, visit):
    from chalicelib.accounts.pages import submit_two_factor_start

    return submit_two_factor_start(account, visit)


@pages.page("/settings/2fa/confirm", methods=["POST"])
def confirm_two_factor(account, form, visit):
    from chalicelib.accounts.pages import submit_two_factor_confirmation

    return submit_two_factor_confirmation(account, form, visit)


@pages.page("/settings/2fa/disable", methods=["POST"])
def disable_two_factor(account, form, visit):
    from chalicelib.accounts.pages import submit_two_factor_disable

    return submit_two_factor_disable(account, form, visit)


@pages.page("/logout", methods=["POST"], signed_in=False)  # anyone may log out; the page checks a session's CSRF
def log_out(account, form, visit):
    from chalicelib.accounts.pages import log_out

    return log_out(form, visit)


@pages.page("/app")
def overview(account, query, visit):
    from chalicelib.accounts.pages import overview_page

    return overview_page(account, visit)


@pages.page("/app/resend-verification", methods=["POST"])
def resend_verification(account, form, visit):
    from chalicelib.accounts.pages import resend_verification

    return resend_verification(account, visit)


@pages.page("/settings")
def account_settings(account, query, visit):
    from chalicelib.accounts.pages import settings_page

    return settings_page(account, visit, notice=query.get("notice"))


@pages.page("/settings/profile", methods=["POST"])
def update_profile(account, form, visit):
    from chalicelib.accounts.pages import submit_profile

    return submit_profile(account, form, visit)


@pages.page("/settings/password", methods=["POST"], allow_deactivated=True)
def change_password(account, form, visit):
    from chalicelib.accounts.pages import submit_password_change

    return submit_password_change(account, form, visit)


@pages.page("/settings/devices/forget", methods=["POST"])
def forget_device(account, form, visit):
    from chalicelib.accounts.pages import submit_forget_device

    return submit_forget_device(account, form, visit)


@pages.page("/settings/product-news", methods=["POST"])
def product_news(account, form, visit):
    from chalicelib.accounts.pages import submit_product_news

    return submit_product_news(account, form, visit)


@pages.page("/settings/campaign-tracking", methods=["POST"])
def campaign_tracking(account, form, visit):
    from chalicelib.accounts.pages import submit_campaign_tracking

    return submit_campaign_tracking(account, form, visit)


@pages.page("/settings/plan", methods=["POST"])
def change_plan(account, form, visit):
    from chalicelib.accounts.pages import submit_plan

    return submit_plan(account, form, visit)


@pages.page("/settings/email", methods=["POST"])
def change_email(account, form, visit):
    from chalicelib.accounts.pages import submit_email_change

    return submit_email_change(account, form, visit)


@pages.page("/settings/email/confirm", signed_in=False)
def email_change_confirmation(account, query, visit):
    from chalicelib.accounts.pages import email_change_page

    return email_change_page(query.get("token", ""))


@pages.page("/settings/email/confirm", methods=["POST"], signed_in=False)
def confirm_email_change(account, form, visit):
    from chalicelib.accounts.pages import submit_email_change_confirmation

    return submit_email_change_confirmation(form, visit)


@pages.page("/settings/deactivate", methods=["POST"])
def deactivate_account(account, form, visit):
    from chalicelib.accounts.pages import submit_deactivation

    return submit_deactivation(account, form, visit)


@pages.page("/settings/export", methods=["POST"])
def request_data_export(account, form, visit):
    from chalicelib.accounts.pages import submit_export_request

    return submit_export_request(account, visit)


@pages.page("/settings/exports/{export_id}")
def download_data_export(account, query, visit, export_id):
    from chalicelib.accounts.pages import download_export

    return download_export(account, visit, export_id)


@pages.page("/settings/erase", methods=["POST"])
def erase_account(account, form, visit):
    from chalicelib.accounts.pages import submit_erasure

    return submit_erasure(account, form, visit)


@pages.page("/reactivate", allow_deactivated=True)
def reactivation(account, query, visit):
    from chalicelib.accounts.pages import reactivation_page

    return reactivation_page(account, visit)


@pages.page("/reactivate", methods=["POST"], allow_deactivated=True)
def reactivate_account(account, form, visit):
    from chalicelib.accounts.pages import submit_reactivation

    return submit_reactivation(account, visit)


@pages.page("/password/forgot", signed_in=False)
def forgot_password(account, query, visit):
    from chalicelib.accounts.pages import forgot_password_page

    return forgot_password_page()


@pages.page("/password/forgot", methods=["POST"], signed_in=False)
def request_password_reset(account, form, visit):
    from chalicelib.accounts.pages import submit_forgot_password

    return submit_forgot_password(form, visit)


@pages.page("/password/reset", signed_in=False)
def password_reset(account, query, visit):
    from chalicelib.accounts.pages import reset_password_page

    return reset_password_page(query.get("token", ""))


@pages.page("/password/reset", methods=["POST"], signed_in=False)
def reset_password(account, form, visit):
    from chalicelib.accounts.pages import submit_reset_password

    return submit_reset_password(form, visit)


@api.route("/accounts", "POST", summary="Register an account; a verification link is mailed",
           request=RegistrationIn, response=RegistrationAccepted, status=202, tags=["accounts"])
def create_account(data: RegistrationIn):
    from chalicelib.accounts import api as accounts_api

    accounts_api.register(services(), routes.current_request, data)
    return RegistrationAccepted(status="check-your-inbox")

@api.route("/session", "POST", summary="Log in: sets the session cookie and returns the CSRF token",
           request=LoginIn, response=SessionOut, tags=["accounts"], errors_=(400, 401, 429))
def create_session(login: LoginIn):
    from chalicelib.accounts import api as accounts_api

    return accounts_api.start_session(services(), routes.current_request, login)


@api.route("/session", "DELETE", summary="Log out: ends the session", tags=["accounts"], status=204,
           signed_in=True)
def delete_session(caller):
    from chalicelib.accounts import api as accounts_api

    return accounts_api.end_session(services(), routes.current_request, caller)


@api.route("/me", "GET", summary="The signed-in account", response=AccountOut, tags=["accounts"], signed_in=True)
def me(caller):
    from chalicelib.accounts.api import account_out

    return account_out(caller.account)


@api.route("/me/profile", "PUT", summary="Change the account holder's details", request=ProfileIn,
           response=AccountOut, tags=["accounts"], signed_in=True)
def put_profile(profile: ProfileIn, caller):
    from chalicelib.accounts.api import account_out

    account = services().account_service.update_profile(caller.account, profile, caller.ip)
    return account_out(account)

@api.route("/me/product-news", "PUT", summary="Opt in to or out of MailExpert's product news (consent is recorded)",
           request=ProductNewsIn, response=AccountOut, tags=["settings"], signed_in=True)
def put_product_news(choice: ProductNewsIn, caller):
    from chalicelib.accounts.api import account_out

    services().account_service.set_product_news(caller.account, choice.opted_in, i18n.current_language(),
                                                caller.ip)
    return account_out(caller.account)


@api.route("/me/campaign-tracking", "PUT", summary="Whether your campaigns count opens and clicks (P14)",
           request=CampaignTrackingIn, response=AccountOut, tags=["settings"], signed_in=True)
def put_campaign_tracking(choice: CampaignTrackingIn, caller):
    from chalicelib.accounts.api import account_out

    services().account_service.set_campaign_tracking(caller.account, choice.on, caller.ip)
    return account_out(caller.account)

@api.route("/me/plan", "PUT", summary="Choose a service package", request=PlanIn, response=AccountOut,
           tags=["settings"], signed_in=True)
def put_plan(choice: PlanIn, caller):
    from chalicelib.accounts.api import account_out

    services().account_service.change_plan(caller.account, choice.plan, caller.ip)
    return account_out(caller.account)

@api.route("/me/email-change", "POST", summary="Change the e-mail address: a link goes to the new address",
           request=EmailChangeIn, response=Accepted, status=202, tags=["settings"], signed_in=True)
def request_email_change(change: EmailChangeIn, caller):

    services().account_service.request_email_change(caller.account, change.new_email, change.password,
                                                    caller.ip)
    return Accepted(status="check-the-new-inbox")


@api.route("/email-changes", "POST", summary="Confirm an e-mail change with the token from the mail",
           request=TokenIn, response=AccountOut, tags=["settings"])
def confirm_email_change_api(link: TokenIn):
    from chalicelib.accounts.api import account_out
    from chalicelib.http import client_ip

    return account_out(services().account_service.confirm_email_change(link.token, client_ip(routes.current_request)))


@api.route("/email-verifications", "POST", summary="Confirm the e-mail address with the token from the mail",
           request=TokenIn, response=AccountOut, tags=["accounts"])
def verify_email_api(link: TokenIn):
    from chalicelib.accounts.api import account_out
    from chalicelib.http import client_ip

    return account_out(services().account_service.verify_email(link.token, client_ip(routes.current_request)))


@api.route("/me/password", "PUT", summary="Change the password; every other session and device is signed out",
           request=PasswordChangeIn, response=SessionOut, tags=["settings"], signed_in=True)
def put_password(change: PasswordChangeIn, caller):
    from chalicelib.accounts import api as accounts_api

    return accounts_api.change_password(services(), routes.current_request, caller.account, change)


@api.route("/password-resets", "POST", summary="Mail a link to set a new password (same answer for any address)",
           request=PasswordResetRequestIn, response=Accepted, status=202, tags=["accounts"])
def request_password_reset_api(reset: PasswordResetRequestIn):
    from chalicelib.http import client_ip

    services().account_service.request_password_reset(reset.email, client_ip(routes.current_request))
    return Accepted(status="check-your-inbox")

@api.route("/password-resets/confirm", "POST", summary="Set a new password with the token from the mail",
           request=NewPasswordIn, status=204, tags=["accounts"])
def reset_password_api(reset: NewPasswordIn):
    from chalicelib.http import client_ip

    services().account_service.reset_password(reset.token, reset.new_password, client_ip(routes.current_request))


@api.route("/me/devices", "GET", summary="Devices that remember the login", tags=["settings"], signed_in=True)
def list_devices(caller):
    from chalicelib.accounts.api import devices_out

    return [d.model_dump() for d in devices_out(services(), caller.account)]


@api.route("/me/devices/{device_id}", "DELETE", summary="Forget a remembered device", status=204,
           tags=["settings"], signed_in=True, errors_=(404,))
def forget_device_api(device_id, caller):

    services().account_service.forget_device(caller.account, device_id, caller.ip)


@api.route("/me/deactivation", "POST", summary="Deactivate the account (log in again to reactivate)",
           request=PasswordIn, status=204, tags=["settings"], signed_in=True)
def deactivate_api(confirmation: PasswordIn, caller):

    services().account_service.deactivate(caller.account, confirmation.password, caller.ip)


@api.route("/me/reactivation", "POST", summary="Reactivate a deactivated account", response=AccountOut,
           tags=["settings"], signed_in=True)
def reactivate_api(caller):
    from chalicelib.accounts.api import account_out

    services().account_service.reactivate(caller.account, caller.ip)
    return account_out(caller.account)

@api.route("/me/exports", "POST", summary="Prepare a download of all my data", response=ExportOut, status=202,
           tags=["data rights"], signed_in=True)
def request_export_api(caller):
    from chalicelib.accounts.api import export_out

    export = services().data_rights.request_export(caller.account, caller.ip)
    return export_out(services(), routes.current_request, caller.account, export)

@api.route("/me/exports/{export_id}", "GET", summary="An export's progress, and its download link once ready",
           response=ExportOut, tags=["data rights"], signed_in=True, errors_=(404,))
def get_export_api(export_id, caller):
    from chalicelib import errors
    from chalicelib.accounts.api import export_out

    export = services().data_rights.export(caller.account, export_id)
    if export is None:
        raise errors.NotFound()
    return export_out(services(), routes.current_request, caller.account, export, with_link=True)

@api.route("/me", "DELETE", summary="Erase the account and all its data, irreversibly", request=ErasureIn,
           status=204, tags=["data rights"], signed_in=True)
def erase_api(erasure: ErasureIn, caller):
    from chalicelib.accounts import api as accounts_api

    accounts_api.erase(services(), routes.current_request, caller.account, erasure)

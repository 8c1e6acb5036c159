"""The account API under /api/v1: register, session (log in, log out), and the signed-in account."""

from chalicelib import i18n
from chalicelib.accounts import remember, web
from chalicelib.accounts.schemas import AccountOut, SessionOut


def account_out(account) -> AccountOut:
    return AccountOut(
        account_id=account.account_id, email=account.email, email_verified=account.email_verified,
        name=account.name, phone=account.phone, street=account.street, postcode=account.postcode,
        city=account.city, country=account.country, company_name=account.company_name,
        coc_number=account.coc_number, vat_number=account.vat_number, website=account.website,
        language=account.language, plan=account.plan.value, status=account.status.value,
        campaign_tracking=account.campaign_tracking)


def start_session(services, request, login) -> SessionOut:
    from chalicelib.http import client_ip, cookies

    sign_in = services.account_service.log_in(login.email, login.password, client_ip(request),
                                                cookies(request).get(web.SESSION_COOKIE),
                                                remember_me=login.remember_me, device=web.device_of(request),
                                                second_factor=login.second_factor)
    web.set_sign_in_cookies(request, sign_in)
    return SessionOut(account=account_out(sign_in.account), csrf_token=sign_in.session.csrf_token)


def end_session(services, request, caller) -> None:
    from chalicelib.accounts.remember import forget_cookie, split
    from chalicelib.http import cookies, queue_cookie

    remembered = split(cookies(request).get(remember.COOKIE))
    services.account_service.log_out(caller.session, caller.ip, forget_device=remembered[0] if remembered else None)
    queue_cookie(request, web.expired_session_cookie())
    queue_cookie(request, forget_cookie())


def register(services, request, data) -> None:
    from chalicelib.http import client_ip

    services.account_service.register(data, i18n.current_language(), client_ip(request))


def devices_out(services, account):
    from chalicelib.accounts.schemas import DeviceOut

    return [DeviceOut(device_id=d.selector, device=d.device, remembered_since=d.created_at.isoformat(),
                      last_used=d.last_used_at.isoformat())
            for d in services.account_service.remembered_devices(account)]


def export_out(services, request, account, export, with_link: bool = False):
    from chalicelib.accounts.schemas import ExportOut
    from chalicelib.http import client_ip

    url = None
    if with_link and export.downloadable:
        url = services.data_rights.download_url(account, export.export_id, client_ip(request))
    return ExportOut(export_id=export.export_id, status=export.status.value, progress=export.progress,
                     requested_at=export.requested_at.isoformat(), download_url=url)


def change_password(services, request, account, change):
    from chalicelib.accounts.schemas import SessionOut
    from chalicelib.http import client_ip, queue_cookie

    session = services.account_service.change_password(account, change.current_password, change.new_password,
                                                         client_ip(request))
    queue_cookie(request, web.session_cookie(session.session_id))
    return SessionOut(account=account_out(account), csrf_token=session.csrf_token)


def erase(services, request, account, erasure) -> None:
    from chalicelib import errors
    from chalicelib.accounts.remember import forget_cookie
    from chalicelib.http import client_ip, queue_cookie
    from chalicelib.i18n import N_

    if not erasure.confirm:
        raise errors.ValidationFailed(field_errors=[errors.FieldError("confirm", N_("Tick the box to confirm that you want this."))])
    services.data_rights.erase(account, erasure.password, client_ip(request))
    queue_cookie(request, web.expired_session_cookie())
    queue_cookie(request, forget_cookie())

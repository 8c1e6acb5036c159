"""The account API under /api/v1: register, session (log in, log out), and the signed-in account."""

from chalice.app import Response

from chalicelib import i18n, services
from chalicelib.accounts import web
from chalicelib.accounts.schemas import AccountOut, SessionOut


def account_out(account) -> AccountOut:
    return AccountOut(
        account_id=account.account_id, email=account.email, email_verified=account.email_verified,
        name=account.name, phone=account.phone, street=account.street, postcode=account.postcode,
        city=account.city, country=account.country, company_name=account.company_name,
        coc_number=account.coc_number, vat_number=account.vat_number, website=account.website,
        language=account.language, plan=account.plan.value, status=account.status.value)


def start_session(request, login) -> Response:
    from chalicelib.http import add_cookie, client_ip, cookies

    account, session = services.account_service().log_in(login.email, login.password, client_ip(request),
                                                         cookies(request).get(web.SESSION_COOKIE))
    body = SessionOut(account=account_out(account), csrf_token=session.csrf_token)
    response = Response(body=body.model_dump_json(), status_code=200, headers={"Content-Type": "application/json"})
    add_cookie(response, web.session_cookie(session.session_id))
    return response


def end_session(request, caller) -> Response:
    from chalicelib.http import add_cookie, client_ip

    services.account_service().log_out(caller[1], client_ip(request))
    response = Response(body="", status_code=204)
    add_cookie(response, web.expired_session_cookie())
    return response


def register(request, data) -> None:
    from chalicelib.http import client_ip

    services.account_service().register(data, i18n.current_language(), client_ip(request))

"""The beacon's endpoint, `POST /t/p`: the visitor's cookie choice read again on the server, the
report read, the view handed to the analytics service, and a bodiless answer.

It sets no cookie and reads the session cookie only when the choice includes marketing (without
the remember-me sign-in, which would set cookies). Answers: 204 whether kept or not kept for want
of consent (the script cannot tell the difference, nor needs to); 400 with problem details saying
what is wrong with the report; 429 when the address sent too many this minute.
"""

import dataclasses
import json

from chalice.app import Response

from chalicelib import errors, i18n
from chalicelib.analytics.reports import read_report
from chalicelib.analytics.service import Outcome
from chalicelib.http import client_ip, cookies
from chalicelib.i18n import N_
from chalicelib.web import consent_cookie

PATH = "/t/p"
NO_CONTENT = {"Cache-Control": "no-store"}
RETRY_AFTER_S = 60


def answer_beacon(request, services) -> Response:
    jar = cookies(request)
    choice = consent_cookie.from_cookies(jar) or consent_cookie.ESSENTIAL_ONLY
    if not choice.analytics:
        return Response(body="", status_code=204, headers=NO_CONTENT)  # not even the body is read
    try:
        report = read_report(request.raw_body)
    except errors.MalformedRequest as malformed:
        return _problem(malformed)
    if report.referrer_host and report.referrer_host == request.headers.get("host", "").split(":")[0].lower():
        report = dataclasses.replace(report, referrer_host="")  # a page of this site is no referrer

    def signed_in_account_id():
        from chalicelib.accounts.web import SESSION_COOKIE

        caller = services.account_service.signed_in(jar.get(SESSION_COOKIE))
        return caller[0].account_id if caller is not None else None

    outcome = services.analytics.record_page_view(
        report, analytics=choice.analytics, marketing=choice.marketing, ip=client_ip(request),
        user_agent=request.headers.get("user-agent"), signed_in_account_id=signed_in_account_id)
    if outcome is Outcome.RATE_LIMITED:
        return _problem(errors.TooManyRequests(N_("Too many page views from your network this minute."),
                                               retry_after_s=RETRY_AFTER_S))
    return Response(body="", status_code=204, headers=NO_CONTENT)


def _problem(error: errors.DomainError) -> Response:
    """Problem details (JSON) rather than the error page: the one reading this answer is a script."""
    body = errors.problem_details(error, PATH, i18n.gettext)
    return Response(body=json.dumps(body), status_code=error.status,
                    headers={"Content-Type": errors.PROBLEM_CONTENT_TYPE, **NO_CONTENT, **error.headers})

"""The sending domain pages ("Afzenderdomeinen"): the account's domains, adding one, its DNS records
and status, checking it now, removing it."""

from urllib.parse import quote

from chalice.app import Response

from chalicelib import errors, i18n
from chalicelib.accounts.page_routes import Visit, redirect, render_app_page
from chalicelib.forms import messages_by_field
from chalicelib.i18n import N_
from chalicelib.sending_domains.domains import STATUS_NAMES, DomainStatus, dns_records

NOTICES = {
    "added": N_("The domain is added. Publish the records below at your DNS provider, then check it."),
    "verified": N_("The domain is verified: campaigns can be sent from it."),
    "pending": N_("Amazon SES has not found the records yet. DNS changes can take a few hours; check again later."),
    "failed": N_("Amazon SES could not verify the domain. Check the records below, remove the domain and add it "
                 "again."),
    "expired": N_("This domain was not verified within 72 hours and another account has added it since."),
    "removed": N_("The domain is removed."),
    "mail-from": N_("The MAIL FROM subdomain is saved. Publish its MX and SPF records below."),
    "mail-from-off": N_("Bounces come back through Amazon SES's own MAIL FROM domain again."),
}


def _notice(visit: Visit) -> str | None:
    key = visit.query.get("notice")
    return i18n.gettext(NOTICES[key]) if key in NOTICES else None


def domain_path(domain) -> str:
    return f"/domains/{quote(domain.domain)}"


def domains_page(account, visit: Visit, values=None, field_errors=None, status=200) -> Response:
    service = visit.services.sending_domains
    return render_app_page("pages/domains.html", account, visit, "/domains", status=status,
                           domains=service.domains(account), status_names=STATUS_NAMES, statuses=DomainStatus,
                           shared_domain=service.shared_domain, values=values or {}, errors=field_errors or {},
                           notice=_notice(visit))


def submit_domain(account, form: dict, visit: Visit) -> Response:
    try:
        added = visit.services.sending_domains.add(account, form.get("domain", ""))
    except errors.ValidationFailed as invalid:
        return domains_page(account, visit, form, messages_by_field(invalid), status=422)
    except errors.Conflict as taken:
        return domains_page(account, visit, form, {"domain": errors.message_text(taken)}, status=409)
    return redirect(f"{domain_path(added)}?notice=added")


def domain_page(account, visit: Visit, domain: str, problem: str | None = None, status: int = 200, values=None,
                field_errors=None) -> Response:
    from chalicelib.config import settings

    service = visit.services.sending_domains
    found = service.get(account, domain)
    label = found.mail_from_domain.removesuffix("." + found.domain) if found.mail_from_domain else ""
    return render_app_page("pages/domain.html", account, visit, "/domains", status=status, domain=found,
                           records=dns_records(found, service.region), status_names=STATUS_NAMES, statuses=DomainStatus,
                           notice=_notice(visit), problem=problem, path=domain_path(found),
                           local_tools=settings().is_local, values=values or {"mail_from": label},
                           errors=field_errors or {})


def submit_check(account, visit: Visit, domain: str) -> Response:
    checked = visit.services.sending_domains.check(account, domain)
    return redirect(f"{domain_path(checked)}?notice={checked.status.value}")


def submit_mail_from(account, form: dict, visit: Visit, domain: str) -> Response:
    try:
        changed = visit.services.sending_domains.set_mail_from(account, domain, form.get("mail_from"))
    except errors.ValidationFailed as invalid:
        return domain_page(account, visit, domain, values=form, field_errors=messages_by_field(invalid), status=422)
    except errors.Conflict as taken:
        return domain_page(account, visit, domain, errors.message_text(taken), status=409)
    return redirect(f"{domain_path(changed)}?notice={'mail-from' if changed.mail_from_domain else 'mail-from-off'}")


def submit_removal(account, visit: Visit, domain: str) -> Response:
    try:
        visit.services.sending_domains.remove(account, domain)
    except errors.Conflict as in_use:
        return domain_page(account, visit, domain, errors.message_text(in_use), status=409)
    return redirect("/domains?notice=removed")

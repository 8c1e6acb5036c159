"""Routes of sending domains: the account's own SES identities (pages and /api/v1)."""

from chalice import Blueprint

from chalicelib.composition import services
from chalicelib.accounts.page_routes import PageRoutes
from chalicelib.accounts.web import api_caller
from chalicelib.api import ApiRoutes
from chalicelib.sending_domains.schemas import DomainIn, DomainOut, MailFromIn

routes = Blueprint(__name__)
api = ApiRoutes(routes, api_caller(services))
pages = PageRoutes(routes, services)


def _domain_pages():
    from chalicelib.sending_domains import pages

    return pages


@pages.page("/domains")
def sending_domains(account, query, visit):
    return _domain_pages().domains_page(account, visit)


@pages.page("/domains", methods=["POST"])
def add_sending_domain(account, form, visit):
    return _domain_pages().submit_domain(account, form, visit)


@pages.page("/domains/{domain}")
def sending_domain(account, query, visit, domain):
    return _domain_pages().domain_page(account, visit, domain)


@pages.page("/domains/{domain}/check", methods=["POST"])
def check_sending_domain(account, form, visit, domain):
    return _domain_pages().submit_check(account, visit, domain)


@pages.page("/domains/{domain}/mail-from", methods=["POST"])
def set_sending_domain_mail_from(account, form, visit, domain):
    return _domain_pages().submit_mail_from(account, form, visit, domain)


@pages.page("/domains/{domain}/delete", methods=["POST"], destructive_from="/domains/{domain}")
def remove_sending_domain(account, form, visit, domain):
    return _domain_pages().submit_removal(account, visit, domain)


@api.route("/domains", "GET", summary="The account's own sending domains, with their DNS records and status",
           tags=["sending domains"], signed_in=True)
def api_sending_domains(caller):
    from chalicelib.sending_domains.api import domain_out

    return [domain_out(services(), d).model_dump(mode="json") for d in services().sending_domains.domains(caller.account)]


@api.route("/domains", "POST", summary="Add a domain: creates its SES identity (Easy DKIM); publish the records "
           "it answers with", request=DomainIn, response=DomainOut, status=201, tags=["sending domains"],
           signed_in=True, errors_=(403, 409))
def api_add_sending_domain(data, caller):
    from chalicelib.sending_domains.api import domain_out

    return domain_out(services(), services().sending_domains.add(caller.account, data.domain))


@api.route("/domains/{domain}", "GET", summary="One sending domain, as last checked", response=DomainOut,
           tags=["sending domains"], signed_in=True, errors_=(404,))
def api_sending_domain(domain, caller):
    from chalicelib.sending_domains.api import domain_out

    return domain_out(services(), services().sending_domains.get(caller.account, domain))


@api.route("/domains/{domain}/check", "POST", summary="Ask Amazon SES now whether the domain is verified",
           response=DomainOut, tags=["sending domains"], signed_in=True, errors_=(404,))
def api_check_sending_domain(domain, caller):
    from chalicelib.sending_domains.api import domain_out

    return domain_out(services(), services().sending_domains.check(caller.account, domain))


@api.route("/domains/{domain}/mail-from", "PUT", summary="Set (or with an empty subdomain, clear) a custom MAIL "
           "FROM subdomain; publish the MX and SPF records it answers with", request=MailFromIn, response=DomainOut,
           tags=["sending domains"], signed_in=True, errors_=(404, 409, 503))
def api_set_sending_domain_mail_from(data, domain, caller):
    from chalicelib.sending_domains.api import domain_out

    return domain_out(services(), services().sending_domains.set_mail_from(caller.account, domain, data.subdomain))


@api.route("/domains/{domain}", "DELETE", summary="Remove a domain (refused while a campaign on its way uses it)",
           status=204, tags=["sending domains"], signed_in=True, errors_=(404, 409))
def api_remove_sending_domain(domain, caller):
    services().sending_domains.remove(caller.account, domain)

"""Routes of the contact form: questions to MailExpert's support team (page and /api/v1), and
/.well-known/security.txt: where to report a security problem (P18)."""

from chalice import Blueprint, Response

from chalicelib import i18n
from chalicelib.composition import services
from chalicelib.accounts.page_routes import PageRoutes
from chalicelib.accounts.web import api_caller
from chalicelib.api import ApiRoutes
from chalicelib.contact.schemas import ContactMessageAccepted, ContactMessageIn
from chalicelib.config import settings

routes = Blueprint(__name__)
api = ApiRoutes(routes, api_caller(services))
pages = PageRoutes(routes, services)


@pages.page("/contact", signed_in=False)
def contact(account, query, visit):
    from chalicelib.contact.pages import contact_page

    return contact_page(settings().support_address, sent=query.get("sent") == "1",
                        security_address=settings().security_address)


@pages.page("/contact", methods=["POST"], signed_in=False)
def contact_form(account, form, visit):
    from chalicelib.contact.pages import submit_contact_form

    return submit_contact_form(form, services().mail_queue, settings().support_address,
                               security_address=settings().security_address)


@routes.route("/.well-known/security.txt")
def security_txt():
    from datetime import datetime, timezone

    from chalicelib.contact import security_txt as txt

    body = txt.security_txt(settings().security_address, settings().public_base_url, datetime.now(timezone.utc))
    return Response(body=body, status_code=200, headers={"Content-Type": txt.CONTENT_TYPE,
                                                         "Cache-Control": f"public, max-age={txt.CACHE_SECONDS}"})


@api.route("/contact-messages", "POST", summary="Send a question to MailExpert's support team",
           request=ContactMessageIn, response=ContactMessageAccepted, status=202, tags=["contact"])
def create_contact_message(message: ContactMessageIn):
    from chalicelib.contact.service import submit_contact_message

    reference = submit_contact_message(message, i18n.current_language(), services().mail_queue,
                                       settings().support_address)
    return ContactMessageAccepted(status="queued", reference=reference)

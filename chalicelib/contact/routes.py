"""Routes of the contact form: questions to MailExpert's support team (page and /api/v1)."""

from chalice import Blueprint

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

    return contact_page(settings().support_address, sent=query.get("sent") == "1")


@pages.page("/contact", methods=["POST"], signed_in=False)
def contact_form(account, form, visit):
    from chalicelib.contact.pages import submit_contact_form

    return submit_contact_form(form, services().mail_queue, settings().support_address)


@api.route("/contact-messages", "POST", summary="Send a question to MailExpert's support team",
           request=ContactMessageIn, response=ContactMessageAccepted, status=202, tags=["contact"])
def create_contact_message(message: ContactMessageIn):
    from chalicelib.contact.service import submit_contact_message

    reference = submit_contact_message(message, i18n.current_language(), services().mail_queue,
                                       settings().support_address)
    return ContactMessageAccepted(status="queued", reference=reference)

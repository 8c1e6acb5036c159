"""Sends a contact message to the support inbox, with the sender as Reply-To."""

from chalicelib.contact.schemas import ContactMessageIn
from chalicelib.delivery.mail import MailRequest
from chalicelib.delivery.service import queue_mail

SUPPORT_LANGUAGE = "nl"  # the support team reads Dutch; the sender's language is shown in the mail


def submit_contact_message(message: ContactMessageIn, sender_language: str, queue, support_address: str) -> str:
    """Queue the message for the support inbox; returns a reference for the sender."""
    return queue_mail(queue, MailRequest(
        template="contact_message", to=(support_address,), language=SUPPORT_LANGUAGE,
        reply_to=(message.email,),
        context={"name": message.name, "email": message.email, "subject": message.subject,
                 "message": message.message, "sender_language": sender_language}))

"""Renders transactional mails from `web/templates/mail/<name>.{subject.txt,txt,html}`.

Templates are compiled once per container (the Jinja2 environment caches them) and rendered in
the recipient's language; rendering does no I/O.
"""

from chalicelib import i18n
from chalicelib.delivery.mail import MailRequest, OutgoingMail
from chalicelib.template_environments import mails

TRANSACTIONAL_TEMPLATES = frozenset({"test_mail", "contact_message", "verify_email", "already_registered",
                                     "reset_password", "security_alert", "confirm_email_change",
                                     "confirm_subscription", "sending_paused", "service_announcement",
                                     "testimonial_change_proposed", "usage_warning"})


def render_mail(request: MailRequest) -> OutgoingMail:
    if request.template not in TRANSACTIONAL_TEMPLATES:
        raise ValueError(f"unknown mail template {request.template!r}")
    env = mails()
    with i18n.use_language(request.language) as language:
        context = {**request.context, "language": language}
        subject = env.get_template(f"mail/{request.template}.subject.txt").render(context)
        text = env.get_template(f"mail/{request.template}.txt").render(context)
        html = env.get_template(f"mail/{request.template}.html").render(context)
    return OutgoingMail(to=request.to, subject=" ".join(subject.split()), text=text, html=html,
                        reply_to=request.reply_to, tags={"template": request.template, **request.tags})

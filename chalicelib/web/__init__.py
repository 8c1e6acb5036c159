"""The HTML pages' rendering and static files (the Jinja environments: `chalicelib.template_environments`)."""

import os

from chalicelib import i18n
from chalicelib.template_environments import pages

STATIC_DIR = os.path.join(os.path.dirname(__file__), "static")


def render_page(template_name: str, **context) -> str:
    from chalicelib.web import consent_banner

    context.setdefault("signed_in", False)
    context.setdefault("cookie_banner", consent_banner.current())  # the cookie banner's state (base layout)
    return pages().get_template(template_name).render(language=i18n.current_language(), **context)

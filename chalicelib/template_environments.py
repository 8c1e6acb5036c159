"""Jinja2 for pages and mails: one environment per family, compiled once per container.

Autoescape on, StrictUndefined (a missing variable is a bug, not an empty string), and the
gettext of `chalicelib.i18n`, so `{% trans %}` and `_()` follow the current language, and the
filters of `chalicelib.formatting` (`| datetime`, `| number`, `| filesize`, `| country`...). A platform
module: the web pages use one family, transactional mail (`chalicelib.delivery`) the other.
"""

import functools
import os

import jinja2
import markupsafe

from chalicelib import VERSION, formatting, i18n

# The templates live with the web package; mail templates are under its mail/ folder.
TEMPLATES_DIR = os.path.join(os.path.dirname(__file__), "web", "templates")


# Jinja's new-style gettext treats a translation as trusted HTML. Ours are text: escape them where
# the template autoescapes (pages, HTML mails), leave them as they are in text mails and subjects.
@jinja2.pass_eval_context
def _escaped_gettext(eval_ctx, message: str) -> str:
    text = i18n.gettext(message)
    return markupsafe.escape(text) if eval_ctx.autoescape else text


@jinja2.pass_eval_context
def _escaped_ngettext(eval_ctx, singular: str, plural: str, n: int) -> str:
    text = i18n.ngettext(singular, plural, n)
    return markupsafe.escape(text) if eval_ctx.autoescape else text


def _environment(autoescape) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=autoescape,
        undefined=jinja2.StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # Lambda code never changes under a running container
    )
    env.install_gettext_callables(_escaped_gettext, _escaped_ngettext, newstyle=True)
    env.globals.update(version=VERSION, languages=i18n.LANGUAGES)
    env.filters.update(formatting.FILTERS)  # dates, numbers, sizes, countries per language (Babel)
    env.globals.update(formatting.GLOBALS)
    return env


@functools.cache
def pages() -> jinja2.Environment:
    return _environment(autoescape=True)


@functools.cache
def mails() -> jinja2.Environment:
    """Mails: HTML parts escaped, text parts and subjects not (they are not HTML)."""
    return _environment(autoescape=jinja2.select_autoescape(enabled_extensions=("html",),
                                                            default_for_string=False))

"""Dutch (default) and English, from Babel message catalogues, for pages and mails alike.

Babel extracts and compiles the catalogues (`make extract-messages`, `make messages`); at run
time the standard library's gettext reads the compiled files. (Babel also runs in Lambda, for
its CLDR data: dates, numbers and country names, `chalicelib.formatting`.)

Message ids are English. The language of a request is chosen by an explicit switch
(`?lang=`), then the remembered choice (the `lang` cookie), then `Accept-Language`, then Dutch.
The current language lives in a context variable, so templates and domain errors translate
without passing it around.
"""

import contextvars
import functools
import os

import gettext as _gettext

DEFAULT_LANGUAGE = "nl"
LANGUAGES = ("nl", "en")
LANGUAGE_COOKIE = "lang"
LOCALES_DIR = os.path.join(os.path.dirname(__file__), "web", "locales")

_current = contextvars.ContextVar("language", default=DEFAULT_LANGUAGE)


@functools.cache
def translations(language: str) -> _gettext.NullTranslations:
    """The compiled catalogue of a language (Babel compiles the .po files; `make messages`)."""
    if language == "en":  # message ids are English already
        return _gettext.NullTranslations()
    return _gettext.translation("messages", LOCALES_DIR, languages=[language])


def current_language() -> str:
    return _current.get()


def set_language(language: str) -> None:
    _current.set(language if language in LANGUAGES else DEFAULT_LANGUAGE)


class use_language:
    """`with use_language("en"):` for work outside a request, such as rendering a mail."""

    def __init__(self, language: str):
        self._language = language if language in LANGUAGES else DEFAULT_LANGUAGE

    def __enter__(self):
        self._token = _current.set(self._language)
        return self._language

    def __exit__(self, *exc):
        _current.reset(self._token)


def N_(message: str) -> str:
    """Marks a message id for extraction where it is translated later (class attributes)."""
    return message


def gettext(message: str) -> str:
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language()).ngettext(singular, plural, n)


def parse_accept_language(header: str | None) -> list[str]:
    """Primary language tags from an Accept-Language header, best first (RFC 9110 q-values)."""
    ranked = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        if not tag or tag == "*":
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, tag.split("-")[0].lower()))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate_language(requested: str | None, remembered: str | None,
                       accept_language: str | None) -> str:
    for candidate in (requested, remembered):
        if candidate in LANGUAGES:
            return candidate
    for tag in parse_accept_language(accept_language):
        if tag in LANGUAGES:
            return tag
    return DEFAULT_LANGUAGE

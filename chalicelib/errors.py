"""Typed domain errors, and the one place that turns them into HTTP responses.

API routes (`/api/...`) answer with RFC 9457 problem details; pages answer with a friendly,
translated error page. No response ever carries a stack trace.

Domain errors subclass Chalice's `ChaliceUnhandledError` for one reason: Chalice turns every
other exception raised in a view into its own generic 500 before middleware sees it, while this
one is passed on to our middleware (`chalicelib.http`), which calls `error_response`.
"""

from dataclasses import dataclass

from chalice.app import ChaliceUnhandledError

from chalicelib import i18n
from chalicelib.i18n import N_

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://mailexpert.nl/problems/"


@dataclass(frozen=True)
class Message:
    """A message id with its params, used as a param of another message: translated, then filled in,
    in the language of the response (a template mistake's detail, a reason in words)."""

    message: str
    params: tuple = ()


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str  # an English message id, translated when the response is built
    params: tuple = ()


class DomainError(ChaliceUnhandledError):
    """Something the user can act on. `message` is an English message id with %(name)s params."""

    status = 400
    code = "bad-request"
    title = N_("The request could not be handled")
    default_message: str | None = None

    def __init__(self, message: str | None = None, *, field_errors=(), headers=None, **params):
        self.message = message or self.default_message or self.title
        self.params = params
        self.field_errors = tuple(field_errors)
        self.headers = dict(headers or {})
        super().__init__(self.message)


class ValidationFailed(DomainError):
    status = 422
    code = "validation-failed"
    title = N_("Some fields need your attention")


class MalformedRequest(DomainError):
    status = 400
    code = "malformed-request"
    title = N_("The request could not be read")


class NotAuthenticated(DomainError):
    status = 401
    code = "not-authenticated"
    title = N_("Please log in first")


class Forbidden(DomainError):
    status = 403
    code = "forbidden"
    title = N_("You are not allowed to do this")


class NotFound(DomainError):
    status = 404
    code = "not-found"
    title = N_("We could not find that")


class AccountDeactivated(Forbidden):
    """A deactivated account may only reactivate or log out; pages send it to /reactivate."""

    code = "account-deactivated"
    title = N_("Your account is deactivated")
    default_message = N_("Reactivate your account to use it again.")


class MethodNotAllowed(DomainError):
    status = 405
    code = "method-not-allowed"
    title = N_("This address does not accept that method")


class Conflict(DomainError):
    status = 409
    code = "conflict"
    title = N_("That conflicts with what is already stored")


class UnsupportedMediaType(DomainError):
    status = 415
    code = "unsupported-media-type"
    title = N_("This content type is not accepted here")


class TooManyRequests(DomainError):
    status = 429
    code = "too-many-requests"
    title = N_("Too many attempts, please wait a moment")

    def __init__(self, message=None, *, retry_after_s: int, **params):
        super().__init__(message, headers={"Retry-After": str(retry_after_s)},
                         retry_after_s=retry_after_s, **params)


class ServiceUnavailable(DomainError):
    status = 503
    code = "service-unavailable"
    title = N_("The service is temporarily unavailable")


class InternalError(DomainError):
    """Not raised by domain code: what an unexpected failure is shown as."""

    status = 500
    code = "internal-error"
    title = N_("Something went wrong on our side")
    default_message = N_("We have logged the problem. Please try again in a moment.")


_BY_STATUS = {cls.status: cls for cls in (MalformedRequest, NotAuthenticated, Forbidden, NotFound,
                                         MethodNotAllowed, Conflict, UnsupportedMediaType,
                                         ValidationFailed, ServiceUnavailable, InternalError)}


def error_for_status(status: int) -> type[DomainError]:
    """The domain error that stands for a status Chalice produced itself (415, 405, bad JSON...)."""
    return _BY_STATUS.get(status, InternalError if status >= 500 else MalformedRequest)


def message_text(error, gettext=None) -> str:
    """What an error says, for people: its message id translated (with `gettext`, by default the
    request's language), its params filled in. The one way every response, page and report turns a
    DomainError, a FieldError (or any message id with params: a dict or pairs) into text."""
    text = (gettext or i18n.gettext)(error.message)
    params = {name: message_text(value, gettext) if isinstance(value, Message) else value
              for name, value in dict(error.params).items()}
    return text % params if params else text


def problem_details(error: DomainError, instance: str, gettext) -> dict:
    """RFC 9457 problem details, translated with `gettext`."""
    body = {
        "type": PROBLEM_TYPE_BASE + error.code,
        "title": gettext(error.title),
        "status": error.status,
        "detail": message_text(error, gettext),
        "instance": instance,
    }
    if error.field_errors:
        body["errors"] = [{"field": fe.field, "message": message_text(fe, gettext)} for fe in error.field_errors]
    if isinstance(error, TooManyRequests):
        body["retry_after_s"] = error.params["retry_after_s"]
    return body

"""Conventions of the public API under /api/v1.

`ApiRoutes.route` registers a Chalice route and its OpenAPI operation from the same pydantic
schemas: the request body is validated by the schema (422 problem details listing each field),
the response is serialised by its schema, and `/api/v1/openapi.json` is generated from what was
registered. Later features add routes the same way and get their documentation for free.
"""

import functools
import json
from dataclasses import dataclass, field

from chalice.app import Response

from chalicelib import VERSION, errors, validation
from chalicelib.i18n import N_

API_PREFIX = "/api/v1"
JSON = "application/json"
NOT_UTF8 = N_("The request body is not valid UTF-8 text.")


@dataclass(frozen=True)
class QueryParameter:
    """A documented ?name= of an operation; `choices` are the only values it accepts."""
    name: str
    description: str
    choices: tuple = ()


@dataclass
class Operation:
    path: str
    method: str
    summary: str
    operation_id: str
    request_model: type | None
    response_model: type | None
    status: int
    tags: tuple = ()
    errors: tuple = ()
    path_params: list = field(default_factory=list)
    signed_in: bool = False
    query_params: tuple = ()


class ApiRoutes:
    """The /api/v1 routes of one domain, on its Chalice blueprint (or the app)."""

    def __init__(self, app, caller=None):
        """`caller(request, changes_state)` answers who makes a signed-in request (its account,
        session and IP: `chalicelib.accounts.web.ApiCaller`), or raises what the caller lacks."""
        self._app = app
        self._caller = caller
        self.operations: list[Operation] = []

    def route(self, path: str, method: str, *, summary: str, request=None, response=None,
              status: int = 200, tags=(), errors_=(400,), signed_in: bool = False, query=()):
        """Register an API route. With `signed_in`, the view gets `caller` (`.account`, `.session`, `.ip`), and
        state-changing methods need the session's CSRF token in the X-CSRF-Token header. `query`
        (QueryParameter) documents the query parameters the view reads."""
        full_path = API_PREFIX + path

        def register(view):
            @functools.wraps(view)
            def handle(**path_params):
                current = self._app.current_request
                if signed_in:
                    path_params["caller"] = self._caller(current, method.upper() not in ("GET", "HEAD"))
                if request is not None:
                    result = view(parse_body(current.raw_body, request), **path_params)
                else:
                    result = view(**path_params)
                return json_response(result, status)

            self._app.route(full_path, methods=[method], content_types=[JSON])(handle)
            self.operations.append(Operation(
                path=full_path, method=method.lower(), summary=summary, operation_id=view.__name__,
                request_model=request, response_model=response, status=status, tags=tuple(tags),
                errors=tuple(errors_) + ((422,) if request else ()) + ((401, 403) if signed_in else ()),
                path_params=[p.strip("{}") for p in full_path.split("/") if p.startswith("{")],
                signed_in=signed_in, query_params=tuple(query)))
            return handle

        return register



def query_choice(parameter: QueryParameter, query: dict | None):
    """The value of a ?name= with fixed choices, None when absent; any other value is a clear 400."""
    value = (query or {}).get(parameter.name)
    if value is None or value in parameter.choices:
        return value
    raise errors.MalformedRequest(N_("The parameter %(name)s must be one of: %(choices)s."), name=parameter.name,
                                  choices=", ".join(parameter.choices))


def openapi_document(route_sets, title: str = "MailExpert API") -> dict:
    """One OpenAPI document for the operations of every domain's `ApiRoutes`."""
    from chalicelib.api.openapi import build_document

    return build_document(title, VERSION, [operation for routes in route_sets for operation in routes.operations])


def parse_body(raw_body, model):
    """Validate a JSON body against a pydantic model; errors name each field in plain words.

    Every JSON body passes here: one that is not UTF-8 is refused as unreadable, and one holding a
    control character in any text (NUL...) is refused naming those fields, whatever the schema."""
    from pydantic import ValidationError

    if not raw_body:
        raise errors.MalformedRequest(N_("The request needs a JSON body."))
    if isinstance(raw_body, bytes):
        try:
            raw_body.decode("utf-8")
        except UnicodeDecodeError:
            raise errors.MalformedRequest(NOT_UTF8) from None
    try:
        parsed = json.loads(raw_body)
    except (ValueError, RecursionError):
        parsed = None  # pydantic says what is wrong with it
    validation.refuse_unstorable(parsed)
    try:
        return model.model_validate_json(raw_body)
    except ValidationError as invalid:
        raise validation_failed(invalid) from None


def validate_fields(model, data: dict):
    """Validate form fields (already parsed) against the same schema the API uses."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as invalid:
        raise validation_failed(invalid) from None


# pydantic's error types, in words a person understands (and our catalogues translate).
FIELD_MESSAGES = {
    "missing": N_("This field is required."),
    "string_too_short": N_("Please enter at least %(min_length)s characters."),
    "string_too_long": N_("Please keep this to at most %(max_length)s characters."),
    "string_type": N_("Please enter text here."),
    "extra_forbidden": N_("This field is not expected here."),
    "model_type": N_("The request body must be a JSON object."),
    "literal_error": N_("Please choose one of the offered values."),
}


def validation_failed(invalid) -> errors.DomainError:
    details = invalid.errors(include_url=False)
    if any(e["type"] == "json_invalid" for e in details):
        return errors.MalformedRequest(N_("The request body is not valid JSON."))
    field_errors = []
    for detail in details:
        message, params = _message(detail)
        field_errors.append(errors.FieldError(field=_field_name(detail["loc"]), message=message,
                                              params=tuple(params.items())))
    return errors.ValidationFailed(field_errors=field_errors)


def _field_name(location) -> str:
    return ".".join(str(part) for part in location) or "body"


def _message(detail: dict) -> tuple[str, dict]:
    if detail["type"] == "value_error":  # our own validators raise ValueError with a message id
        return str(detail["ctx"]["error"]), {}
    if detail["type"] == "string_too_short" and detail["ctx"].get("min_length") == 1:
        return FIELD_MESSAGES["missing"], {}
    known = FIELD_MESSAGES.get(detail["type"])
    if known:
        return known, {k: v for k, v in (detail.get("ctx") or {}).items() if isinstance(v, (int, str))}
    return detail["msg"], {}


def json_response(result, status: int) -> Response:
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(body="", status_code=204 if status == 200 else status)
    if hasattr(result, "model_dump_json"):
        body = result.model_dump_json()
    else:
        body = json.dumps(result)
    return Response(body=body, status_code=status, headers={"Content-Type": JSON})

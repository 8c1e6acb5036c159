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

from chalicelib import VERSION, errors

API_PREFIX = "/api/v1"
JSON = "application/json"


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


class ApiRoutes:
    def __init__(self, app, title: str = "MailExpert API"):
        self._app = app
        self.title = title
        self.operations: list[Operation] = []

    def route(self, path: str, method: str, *, summary: str, request=None, response=None,
              status: int = 200, tags=(), errors_=(400,)):
        full_path = API_PREFIX + path

        def register(view):
            @functools.wraps(view)
            def handle(**path_params):
                current = self._app.current_request
                if request is not None:
                    body = parse_body(current.raw_body, request)
                    result = view(body, **path_params)
                else:
                    result = view(**path_params)
                return json_response(result, status)

            self._app.route(full_path, methods=[method], content_types=[JSON])(handle)
            self.operations.append(Operation(
                path=full_path, method=method.lower(), summary=summary, operation_id=view.__name__,
                request_model=request, response_model=response, status=status, tags=tuple(tags),
                errors=tuple(errors_) + ((422,) if request else ()),
                path_params=[p.strip("{}") for p in full_path.split("/") if p.startswith("{")]))
            return handle

        return register

    def openapi(self) -> dict:
        from chalicelib.api.openapi import build_document

        return build_document(self.title, VERSION, self.operations)


def parse_body(raw_body, model):
    """Validate a JSON body against a pydantic model; errors name each field in plain words."""
    from pydantic import ValidationError

    if not raw_body:
        raise errors.MalformedRequest("The request needs a JSON body.")
    try:
        return model.model_validate_json(raw_body)
    except ValidationError as invalid:
        field_errors = [errors.FieldError(field=_field_name(e["loc"]), message=_message(e))
                        for e in invalid.errors(include_url=False)]
        if any(e["type"] == "json_invalid" for e in invalid.errors(include_url=False)):
            raise errors.MalformedRequest("The request body is not valid JSON.")
        raise errors.ValidationFailed(field_errors=field_errors)


def _field_name(location) -> str:
    return ".".join(str(part) for part in location) or "body"


def _message(error: dict) -> str:
    """pydantic's own English message; a schema can give a nicer one through ValueError."""
    message = error["msg"]
    return message.removeprefix("Value error, ")


def json_response(result, status: int) -> Response:
    if hasattr(result, "model_dump_json"):
        body = result.model_dump_json()
    else:
        body = json.dumps(result)
    return Response(body=body, status_code=status, headers={"Content-Type": JSON})

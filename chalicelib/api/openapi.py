"""The OpenAPI 3.1 document, generated from the registered operations and their pydantic schemas."""

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from chalicelib.errors import PROBLEM_CONTENT_TYPE

REF_TEMPLATE = "#/components/schemas/{model}"

_ERROR_DESCRIPTIONS = {
    400: "The request could not be read",
    401: "Not logged in",
    403: "Not allowed",
    404: "Not found",
    409: "Conflicts with stored data",
    415: "Unsupported content type",
    422: "Some fields are invalid",
    429: "Too many requests",
}


class FieldProblem(BaseModel):
    field: str = Field(description="Dotted path of the field in the request body")
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details."""

    model_config = ConfigDict(title="Problem")
    type: str
    title: str
    status: int
    detail: str
    instance: str
    errors: list[FieldProblem] | None = None
    retry_after_s: int | None = None


def build_document(title: str, version: str, operations) -> dict:
    models = {Problem}
    for op in operations:
        models.update(m for m in (op.request_model, op.response_model) if m is not None)
    keyed = [(model, "validation") for model in sorted(models, key=lambda m: m.__name__)]
    _, top = models_json_schema(keyed, ref_template=REF_TEMPLATE)
    schemas = top.get("$defs", {})

    paths: dict = {}
    for op in operations:
        responses = {}
        if op.response_model is not None:
            responses[str(op.status)] = {
                "description": "Success",
                "content": {"application/json": {"schema": _ref(op.response_model)}},
            }
        else:
            responses[str(op.status)] = {"description": "Success"}
        for status in sorted(set(op.errors)):
            responses[str(status)] = {
                "description": _ERROR_DESCRIPTIONS.get(status, "Error"),
                "content": {PROBLEM_CONTENT_TYPE: {"schema": _ref(Problem)}},
            }
        operation = {"operationId": op.operation_id, "summary": op.summary, "responses": responses}
        if op.tags:
            operation["tags"] = list(op.tags)
        parameters = [{"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                      for name in op.path_params]
        parameters += [{"name": q.name, "in": "query", "required": False, "description": q.description,
                        "schema": {"type": "string", **({"enum": list(q.choices)} if q.choices else {})}}
                       for q in op.query_params]
        if op.signed_in:
            operation["security"] = [{"session": []}]
            if op.method not in ("get", "head"):
                parameters.append({"name": "X-CSRF-Token", "in": "header", "required": True,
                                   "description": "The csrf_token of the session (from POST /api/v1/session)",
                                   "schema": {"type": "string"}})
        if parameters:
            operation["parameters"] = parameters
        if op.request_model is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _ref(op.request_model)}},
            }
        paths.setdefault(op.path, {})[op.method] = operation

    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": "__Host-session",
                        "description": "The session cookie set by POST /api/v1/session"}}},
    }


def _ref(model) -> dict:
    return {"$ref": REF_TEMPLATE.format(model=model.__name__)}

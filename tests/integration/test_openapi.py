from tests.integration.conftest import json_body


def test_openapi_document_is_generated_from_the_registered_schemas(client):
    document = json_body(client.get("/api/v1/openapi.json"))
    assert document["openapi"] == "3.1.0"
    operation = document["paths"]["/api/v1/contact-messages"]["post"]
    # THEN the request and response refer to schemas that exist in the document
    request_ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    response_ref = operation["responses"]["202"]["content"]["application/json"]["schema"]["$ref"]
    schemas = document["components"]["schemas"]
    assert request_ref.rsplit("/", 1)[-1] in schemas and response_ref.rsplit("/", 1)[-1] in schemas
    assert set(schemas["ContactMessageIn"]["required"]) == {"name", "email", "subject", "message"}
    # AND errors are documented as problem details
    assert operation["responses"]["422"]["content"]["application/problem+json"]["schema"]["$ref"].endswith("/Problem")


def test_every_api_route_is_documented(app_module, client):
    document = json_body(client.get("/api/v1/openapi.json"))
    documented = {(path, method.upper()) for path, ops in document["paths"].items() for method in ops}
    routed = {(path, method) for path, methods in app_module.app.routes.items() for method in methods
              if path.startswith("/api/v1/") and path != "/api/v1/openapi.json"}
    assert routed == documented


def test_every_ref_in_the_document_resolves(client):
    document = json_body(client.get("/api/v1/openapi.json"))
    refs = []

    def collect(node):
        if isinstance(node, dict):
            refs.extend(v for k, v in node.items() if k == "$ref")
            for value in node.values():
                collect(value)
        elif isinstance(node, list):
            for value in node:
                collect(value)

    collect(document)
    assert refs
    for ref in refs:
        assert ref.startswith("#/components/schemas/")
        assert ref.rsplit("/", 1)[-1] in document["components"]["schemas"]

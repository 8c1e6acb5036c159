"""A path with a dot-folder (/.well-known/security.txt) reaches its own route, not the catch-all, on
both routers the app meets: the local one (`devstack/serve.py`, also under the tests' Client) and
API Gateway, whose resource path parts may hold only [a-zA-Z0-9._-] or a {parameter}."""

import re

import pytest
from chalice.deploy.swagger import SwaggerGenerator
from chalice.local import RouteMatcher

from devstack.serve import match_route_with_greedy_paths

SECURITY_TXT = "/.well-known/security.txt"
# The path parts API Gateway accepts (its error message: "Resource's path part only allow
# a-zA-Z0-9._- and curly braces at the beginning and the end", an optional + before the brace).
API_GATEWAY_PATH_PART = re.compile(r"[a-zA-Z0-9._-]+|\{[a-zA-Z0-9._-]+\+?\}")


@pytest.fixture(scope="module")
def app():
    import app as app_module

    return app_module.app


def test_local_router_sends_the_dot_folder_to_its_route(app):
    # GIVEN the app's routes in the local router, with greedy {proxy+} as API Gateway matches it
    matcher = RouteMatcher(list(app.routes))
    # WHEN security.txt and other addresses under /.well-known are asked for
    # THEN security.txt has its own route, anything else there is the friendly 404's
    assert match_route_with_greedy_paths(matcher, SECURITY_TXT).route == SECURITY_TXT
    assert match_route_with_greedy_paths(matcher, "/.well-known/change-password").route == "/{proxy+}"
    assert match_route_with_greedy_paths(matcher, "/.well-known/security.txt/x").route == "/{proxy+}"


def test_api_gateway_accepts_every_path_part_of_the_app(app):
    # GIVEN every route of the app WHEN split into API Gateway resources
    # THEN each part is one API Gateway accepts (a dot is allowed, also at the start)
    refused = [(path, part) for path in app.routes for part in path.strip("/").split("/")
               if part and not API_GATEWAY_PATH_PART.fullmatch(part)]
    assert refused == []


def test_api_gateway_definition_has_security_txt_as_its_own_resource(app):
    # GIVEN the Swagger definition chalice deploys to API Gateway
    swagger = SwaggerGenerator("eu-west-1", {"api_handler_arn": "arn:aws:lambda:eu-west-1:123456789012:function:api",
                                             "api_handler_name": "api"}).generate_swagger(app)
    # THEN security.txt is a path of its own, a GET integrated with the Lambda function
    assert swagger["paths"][SECURITY_TXT]["get"]["x-amazon-apigateway-integration"]["type"] == "aws_proxy"

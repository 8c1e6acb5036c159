from chalice.local import RouteMatcher

from devstack.serve import match_route_with_greedy_paths

ROUTES = ["/", "/contact", "/static/{name}", "/api/v1/openapi.json", "/{proxy+}"]


def match(url):
    return match_route_with_greedy_paths(RouteMatcher(ROUTES), url)


def test_concrete_routes_still_win():
    assert match("/contact").route == "/contact"
    assert match("/static/app.css").captured == {"name": "app.css"}


def test_greedy_route_takes_any_depth_as_api_gateway_does():
    result = match("/api/v1/nope/deeper?x=1")
    assert result.route == "/{proxy+}"
    assert result.captured == {"proxy+": "api/v1/nope/deeper"}
    assert result.query_params == {"x": ["1"]}


def test_single_segment_goes_to_the_greedy_route_too():
    assert match("/favicon.ico").captured == {"proxy+": "favicon.ico"}

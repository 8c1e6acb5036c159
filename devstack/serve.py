"""`chalice local`, with API Gateway's greedy path parameters (`/{proxy+}`) matched as in AWS.

chalice local's route matcher only matches `{proxy+}` against a single path segment, while API
Gateway matches any depth; the app's catch-all route relies on the latter to show a friendly 404.
"""

import sys
from urllib.parse import parse_qs, urlparse

from chalice import local
from chalice.cli import main as chalice_main

GREEDY = "{proxy+}"
_match_route = local.RouteMatcher.match_route


def match_route_with_greedy_paths(self, url: str):
    try:
        return _match_route(self, url)
    except ValueError:
        parsed = urlparse(url)
        parts = (parsed.path.rstrip("/") or "/").split("/")
        for route_url in self.route_urls:  # sorted: concrete routes before captures, as chalice does
            route_parts = route_url.split("/")
            if route_parts[-1] != GREEDY or len(parts) < len(route_parts):
                continue
            captured = {}
            for route_part, part in zip(route_parts[:-1], parts):
                if route_part.startswith("{") and route_part.endswith("}"):
                    captured[route_part[1:-1]] = part
                elif route_part != part:
                    break
            else:
                captured["proxy+"] = "/".join(parts[len(route_parts) - 1:])
                return local.MatchResult(route_url, captured, parse_qs(parsed.query, keep_blank_values=True))
        raise


def main() -> None:
    local.RouteMatcher.match_route = match_route_with_greedy_paths
    sys.argv = ["chalice", "local", *sys.argv[1:]]
    sys.exit(chalice_main())


if __name__ == "__main__":
    main()

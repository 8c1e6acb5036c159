"""What the beacon (`chalicelib/web/static/beacon.js`) reports of one page view, read and checked.

The body is a small JSON object, sent as `text/plain` by `navigator.sendBeacon` (a type that needs
no CORS preflight) or as JSON by `fetch(..., {keepalive: true})`:

  {"path": "/pricing", "dwell_ms": 12400, "referrer": "www.example.com", "screen": "1920x1080"}

Only what the privacy policy names is accepted, in a bounded form: the path without query string or
fragment (ids in it replaced by `:id`, so pages group and no record id is kept), time on page in
milliseconds (capped at a day), the referrer's host name only and the screen resolution. Anything
else is refused with a message that says what is wrong (400), never stored half.
"""

import json
import re
from dataclasses import dataclass

from chalicelib import errors
from chalicelib.i18n import N_

MAX_BODY_BYTES = 2048
MAX_PATH_LENGTH = 200
MAX_DWELL_MS = 24 * 3600 * 1000
FIELDS = frozenset({"path", "dwell_ms", "referrer", "screen"})
_PATH = re.compile(r"^/[\x21-\x7e]*$")  # printable ASCII, no spaces (browsers percent-encode the rest)
_HOST = re.compile(r"^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$")
_SCREEN = re.compile(r"^([1-9][0-9]{1,4})x([1-9][0-9]{1,4})$")
# A path segment that names a record (a hex id, a token, a number) rather than a page.
_ID_SEGMENT = re.compile(r"^(?=[A-Za-z0-9_=-]*[0-9])[A-Za-z0-9_=-]{8,}$|^[0-9]+$")
ID_PLACEHOLDER = ":id"


@dataclass(frozen=True)
class PageViewReport:
    path: str
    dwell_ms: int
    referrer_host: str  # "" when the visitor came from nowhere (typed, bookmark) or from this site
    screen: str  # "1920x1080"


def read_report(body: bytes | str | None) -> PageViewReport:
    """The report in a beacon's body; raises MalformedRequest saying what is wrong."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    if not body:
        raise errors.MalformedRequest(N_("The page view report is empty."))
    if len(body) > MAX_BODY_BYTES:
        raise errors.MalformedRequest(N_("The page view report is larger than %(limit)s bytes."), limit=MAX_BODY_BYTES)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise errors.MalformedRequest(N_("The page view report is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise errors.MalformedRequest(N_("The page view report must be a JSON object."))
    unknown = sorted(set(data) - FIELDS)
    if unknown:
        raise errors.MalformedRequest(N_("The page view report holds fields that are not accepted: %(fields)s."),
                                      fields=", ".join(unknown)[:200])
    return PageViewReport(path=_path(data.get("path")), dwell_ms=_dwell(data.get("dwell_ms")),
                          referrer_host=_referrer(data.get("referrer")), screen=_screen(data.get("screen")))


def _path(value) -> str:
    if not isinstance(value, str) or not value.startswith("/"):
        raise errors.MalformedRequest(N_("The path of the page view must be text starting with '/'."))
    value = value.split("#", 1)[0].split("?", 1)[0]
    if len(value) > MAX_PATH_LENGTH or not _PATH.match(value):
        raise errors.MalformedRequest(N_("The path of the page view must be at most %(limit)s characters, "
                                         "without spaces or control characters."), limit=MAX_PATH_LENGTH)
    return normalise_path(value)


def normalise_path(path: str) -> str:
    """The page a path shows, with the record ids in it replaced: /campaigns/3f9a.../report ->
    /campaigns/:id/report. A trailing slash is dropped (but the home page stays "/")."""
    segments = [ID_PLACEHOLDER if _ID_SEGMENT.match(segment) else segment for segment in path.split("/")[1:]]
    normalised = "/" + "/".join(segments)
    return normalised.rstrip("/") or "/"


def _dwell(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value or value < 0:
        raise errors.MalformedRequest(N_("The time on page must be a number of milliseconds, 0 or more."))
    return int(min(value, MAX_DWELL_MS))


def _referrer(value) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, str) or not _HOST.match(value.lower().rstrip(".")):
        raise errors.MalformedRequest(N_("The referrer must be a host name only (such as www.example.com)."))
    return value.lower().rstrip(".")


def _screen(value) -> str:
    match = _SCREEN.match(value) if isinstance(value, str) else None
    if match is None:
        raise errors.MalformedRequest(N_("The screen resolution must be written as width x height in pixels "
                                         "(such as 1920x1080)."))
    return value

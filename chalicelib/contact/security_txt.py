"""/.well-known/security.txt (RFC 9116, P18): where to report a security problem.

The contact is the address the privacy policy names for security questions (the setting
SECURITY_ADDRESS), with the contact form beside it. The file is made on each request, so its
Expires date is always the same distance ahead: less than a year, as RFC 9116 recommends, so a
copy left somewhere goes stale instead of pointing at an address nobody reads any more.
"""

from datetime import datetime, time, timedelta, timezone

PATH = "/.well-known/security.txt"
CONTENT_TYPE = "text/plain; charset=utf-8"  # RFC 9116 section 3
EXPIRES_AFTER = timedelta(days=180)
PREFERRED_LANGUAGES = ("nl", "en")
CACHE_SECONDS = 24 * 3600


def expires(now: datetime) -> datetime:
    """EXPIRES_AFTER from the start of today (UTC): the same all day, so caches agree."""
    today = now.astimezone(timezone.utc).date()
    return datetime.combine(today, time(0, 0), tzinfo=timezone.utc) + EXPIRES_AFTER


def security_txt(security_address: str, public_base_url: str, now: datetime) -> str:
    base = public_base_url.rstrip("/")
    fields = [
        ("Contact", f"mailto:{security_address}"),
        ("Contact", f"{base}/contact"),
        ("Expires", expires(now).strftime("%Y-%m-%dT%H:%M:%SZ")),
        ("Preferred-Languages", ", ".join(PREFERRED_LANGUAGES)),
        ("Canonical", f"{base}{PATH}"),
        ("Policy", f"{base}/privacy"),
    ]
    return "".join(f"{name}: {value}\n" for name, value in fields)

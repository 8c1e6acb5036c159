"""Browser and operating system family of a user agent, parsed on the server with `ua-parser`
(the maintained Python port of the uap-core rules), so the beacon sends no fingerprint of its own
and only the two family names are stored, never the user agent string itself."""

import functools

UNKNOWN = "Other"
MAX_USER_AGENT_LENGTH = 512  # longer strings are cut before parsing: the rules match at the start


def families(user_agent: str | None) -> tuple[str, str]:
    """(browser family, OS family), "Other" where the rules know neither."""
    if not user_agent:
        return UNKNOWN, UNKNOWN
    return _families(user_agent[:MAX_USER_AGENT_LENGTH])


@functools.lru_cache(maxsize=2048)  # user agents repeat: a warm container parses each once
def _families(user_agent: str) -> tuple[str, str]:
    import ua_parser  # lazily: its rules take ~0.3 s to load, which a cold start must not pay

    parsed = ua_parser.parse(user_agent)
    browser = parsed.user_agent.family if parsed.user_agent else UNKNOWN
    system = parsed.os.family if parsed.os else UNKNOWN
    return (browser or UNKNOWN)[:64], (system or UNKNOWN)[:64]

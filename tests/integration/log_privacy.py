"""The log capture over the integration suite (P6, issue 13): no log line carries personal data
besides the client's IP address.

tests/integration/conftest.py attaches a `LogCapture` to every integration test (autouse): it
keeps every log record made during the test's setup, call and teardown, formatted as it would be
written (the app's Powertools lines as their JSON), and reads what was printed. A line fails the
test when it carries

- an e-mail address (any: the app's own addresses are not logged either);
- a person's name from the test data: the names in the import files of tests/data/imports and the
  account of accounts_helpers, and every name the test itself sent to the app (form, query, JSON);
- a secret: a password, token, code or session id the test sent or received (cookies, links in
  mail), or any field whose key names one (`password`, `token`, `session`, `cookie`, ...);
- a message body: a contact message or template text the test sent, or a line of a mail's body
  or its subject from the outbox.

IP addresses are allowed (P6: the request log keeps them, with a retention). Values shorter than
4 characters are not looked for (they occur everywhere by chance).
"""

import csv
import json
import logging
import os
import re
from urllib.parse import parse_qsl, urlsplit

from tests.conftest import PROJECT_DIR

EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
# Keys of a structured line that name a secret or personal data: their values are never logged.
SECRET_KEY = re.compile(r"(^|_)(password|passwd|secret|token|session|cookie|authorization|otp|totp|"
                        r"recovery_code|email|e_mail|phone|street|first_name|last_name|full_name|body|html)$",
                        re.IGNORECASE)
# Fields the tests send, by what they hold.
NAME_FIELD = re.compile(r"(^|_)(name|naam|first_name|last_name|full_name|display_name)$", re.IGNORECASE)
PERSONAL_FIELD = re.compile(r"(^|_)(email|phone|street|address)$", re.IGNORECASE)
SECRET_FIELD = re.compile(r"(password|token|secret|code|otp)", re.IGNORECASE)
BODY_FIELD = re.compile(r"^(message|body|html|text|content|subject|testimonial|quote)$", re.IGNORECASE)
TOKEN_PATH = re.compile(r"^/(u|t/o|t/c)/([^/?#]+)")
TOKEN_IN_TEXT = re.compile(r"(?:token=|/u/|/t/[oc]/)([A-Za-z0-9_\-.~%]{16,})")
MIN_LENGTH = 4
# Keys of the app's lines whose values the code itself fixes (Powertools' own keys, enums, routes).
FIXED_VOCABULARY = frozenset({"level", "location", "timestamp", "service", "route", "method", "template",
                              "event_type", "bounce_type", "bounce_subtype", "kind", "job", "state", "status",
                              "outcome", "error", "error_code", "field_type", "scanner", "sampling_rate"})
MIN_BODY_LINE = 24  # a line of a mail or message long enough to be its own, not a common word
IMPORT_FILES = os.path.join(PROJECT_DIR, "tests", "data", "imports")
NAME_COLUMN = re.compile(r"name|naam|tussenvoegsel", re.IGNORECASE)


def test_data_names() -> set[str]:
    """The people's names of the test data: the import files' name columns, the registered account."""
    from tests.integration.accounts_helpers import REGISTRATION

    names = {REGISTRATION["name"], REGISTRATION["company_name"]}
    for file_name in sorted(os.listdir(IMPORT_FILES)):
        raw = open(os.path.join(IMPORT_FILES, file_name), "rb").read()
        text = raw.decode("utf-8-sig") if _is_utf8(raw) else raw.decode("cp1252")
        rows = list(csv.reader(text.splitlines(), delimiter=";" if text.split("\n", 1)[0].count(";") else ","))
        if not rows:
            continue
        columns = [i for i, header in enumerate(rows[0]) if NAME_COLUMN.search(header)]
        names |= {row[i].strip() for row in rows[1:] for i in columns if i < len(row)}
    return {name for name in names if len(name) >= MIN_LENGTH}


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class LogCapture(logging.Handler):
    """Every log record of one test, formatted as written; the values the test made sensitive."""

    def __init__(self, known_names=frozenset()):
        super().__init__(logging.NOTSET)
        self.lines: list[str] = []
        self.printed: list[str] = []
        self.sensitive: dict[str, str] = {}  # value -> what it is
        self.body_lines: dict[str, str] = {}  # a line of a message body -> what it is
        self._checked_lines = 0
        self._checked_printed: set[str] = set()
        self._compiled = None
        for name in known_names:
            self.add(name, "a name from the test data")

    # --- capturing ---------------------------------------------------------------------------

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(_formatter_of(record).format(record))
        except Exception:  # a record that cannot be formatted is still looked at
            self.lines.append(f"{record.getMessage()} {record.args!r}")

    def add(self, value, what: str) -> None:
        value = str(value or "").strip()
        if len(value) >= MIN_LENGTH:
            self.sensitive.setdefault(value, what)

    def add_body(self, text, what: str) -> None:
        for line in str(text or "").splitlines():
            line = line.strip()
            if len(line) >= MIN_BODY_LINE:
                self.body_lines.setdefault(line, what)

    def sent(self, method: str, path: str, headers: dict | None, body) -> None:
        """What a test sends to the app through chalice's test client."""
        url = urlsplit(path)
        fields = parse_qsl(url.query, keep_blank_values=False)
        token_path = TOKEN_PATH.match(url.path)
        if token_path:
            self.add(token_path.group(2), "a token in a link")
        content_type = {k.lower(): v for k, v in (headers or {}).items()}.get("content-type", "")
        if isinstance(body, (bytes, bytearray)):
            body = body.decode("utf-8", "replace")
        if body and "x-www-form-urlencoded" in content_type:
            fields += parse_qsl(body, keep_blank_values=False)
        elif body and "json" in content_type:
            try:
                fields += list(_json_fields(json.loads(body)))
            except ValueError:
                pass
        for key, value in fields:
            self._classify(key, value)
        cookie = {k.lower(): v for k, v in (headers or {}).items()}.get("cookie", "")
        for morsel in cookie.split(";"):
            self.add(morsel.partition("=")[2], "a cookie (session id)")

    def received(self, response) -> None:
        """What the app answers: the cookies it sets are session ids and tokens."""
        headers = getattr(response, "headers", {}) or {}
        set_cookie = headers.get("Set-Cookie") or headers.get("set-cookie") or []
        for header in set_cookie if isinstance(set_cookie, list) else [set_cookie]:
            value = header.split(";", 1)[0].partition("=")[2]
            if len(value) >= 16:
                self.add(value, "a cookie (session id)")

    def mailed(self, mails: list[dict]) -> None:
        """The mails the app handed to SES (the outbox): subjects, body lines and the tokens in them."""
        for mail in mails:
            if len(mail.get("subject") or "") >= 12:
                self.add(mail["subject"], "a mail's subject")
            for part in (mail.get("text"), mail.get("html")):
                self.add_body(part, "a line of a mail's body")
                for token in TOKEN_IN_TEXT.findall(part or ""):
                    self.add(token, "a token in a mail")

    def _classify(self, key: str, value) -> None:
        key = key.rsplit(".", 1)[-1]
        if SECRET_FIELD.search(key):
            self.add(value, f"a secret ({key})")
        elif NAME_FIELD.search(key):
            self.add(value, "a name the test sent")
        elif PERSONAL_FIELD.search(key):
            self.add(value, f"personal data ({key})")
        elif BODY_FIELD.search(key):
            self.add_body(value, f"a message body ({key})")
            if len(str(value).strip()) >= MIN_BODY_LINE:
                self.add(str(value).strip()[:200], f"a message body ({key})")

    # --- checking ----------------------------------------------------------------------------

    def leaks(self) -> list[str]:
        """What the lines captured since the last call carry that they must not."""
        lines = self.lines[self._checked_lines:]
        self._checked_lines = len(self.lines)
        logged = set(self.lines)  # the app's lines are printed too: each is looked at once
        printed = [line for line in "\n".join(self.printed).splitlines()
                   if line.strip() and line not in logged and line not in self._checked_printed]
        self._checked_printed |= set(printed)
        self.printed = []
        return [f"{finding}\n    in: {_shortened(line)}" for line in lines + printed for finding in self.findings(line)]

    def findings(self, line: str) -> list[str]:
        found = [f"an e-mail address: {m.group(0)}" for m in EMAIL.finditer(line)]
        document = _structured(line)
        found += [f"a field that holds {key}" for key, value in _json_fields(document) if value and SECRET_KEY.search(key)]
        # The values the code fixes (log level, route pattern, SES event type...) are its own words, not
        # data: a test's contact called "Bart Bounce" is no leak in "event_type": "Bounce".
        data = line if document is None else json.dumps(
            {k: v for k, v in document.items() if k not in FIXED_VOCABULARY}, ensure_ascii=False)
        pattern = self._pattern()
        if pattern is not None:
            found += [f"{self.sensitive[m.group(1)]}: {m.group(1)!r}" for m in pattern.finditer(data)]
        found += [f"{what}: {body_line!r}" for body_line, what in self.body_lines.items() if body_line in data]
        return found

    def forget(self) -> None:
        """Drop what was captured so far (a test of the capture itself)."""
        self._checked_lines = len(self.lines)
        self._checked_printed |= {line for text in self.printed for line in text.splitlines()}
        self.printed = []

    def _pattern(self):
        """One expression for every sensitive value, compiled again only when values were added."""
        if not self.sensitive:
            return None
        if self._compiled is None or self._compiled[0] != len(self.sensitive):
            values = sorted(self.sensitive, key=len, reverse=True)
            self._compiled = (len(self.sensitive),
                              re.compile(r"(?<![\w])(" + "|".join(map(re.escape, values)) + r")(?![\w])"))
        return self._compiled[1]


def _json_fields(document, key=""):
    if isinstance(document, dict):
        for name, value in document.items():
            yield from _json_fields(value, name)
    elif isinstance(document, list):
        for value in document:
            yield from _json_fields(value, key)
    elif isinstance(document, str) and key:
        yield key, document


def _structured(line: str) -> dict | None:
    """The JSON object of a structured line (the app's Powertools lines), or None."""
    start = line.find("{")
    if start < 0:
        return None
    try:
        document = json.loads(line[start:])
    except ValueError:
        return None
    return document if isinstance(document, dict) else None


def _shortened(line: str, limit: int = 400) -> str:
    return line if len(line) <= limit else line[:limit] + "..."


_PLAIN = logging.Formatter("%(name)s %(levelname)s %(message)s")


def _formatter_of(record: logging.LogRecord) -> logging.Formatter:
    """The app's records as its Powertools handler writes them (JSON with every key); others plainly."""
    if record.name == "mailexpert" or record.name.startswith("mailexpert."):
        from chalicelib.observability import logger

        return logger.registered_formatter
    return _PLAIN

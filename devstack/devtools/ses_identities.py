"""Local stage only: SES domain identities as real SES answers about them, as far as moto does not.

Measured on moto 5.2.5: CreateEmailIdentity and GetEmailIdentity answer without DKIM tokens, with
`VerifiedForSendingStatus` always false and DKIM status NOT_STARTED; nothing can ever verify a domain
(there is no DNS here either). PutEmailIdentityMailFromAttributes is not implemented at all. So, on
the shared botocore session (the outbox's trick), this fills in what SES would say:

* three DKIM tokens per domain (stable: derived from the name), and DKIM status PENDING;
* verified (`VerifiedForSendingStatus` true, DKIM SUCCESS, a custom MAIL FROM SUCCESS) once someone
  pressed "Mark as verified" on the domain's page (`/dev/sending-domains/<domain>/verify`), which
  stands in for publishing the records (a newly created identity starts unverified again);
* PutEmailIdentityMailFromAttributes answered here, never sent to moto; GetEmailIdentity then
  carries the MAIL FROM attributes.

The marks and MAIL FROM subdomains live in a file under the local state directory; deleting the
identity forgets them.
"""

import copy
import hashlib
import json
import os
import threading
from types import SimpleNamespace

_REQUEST_KEY = "local_identity_request"


class LocalVerifications:
    """The domains marked verified in the local stack, and their MAIL FROM subdomains, in a small JSON file."""

    def __init__(self, path: str):
        self._path = path
        self._lock = threading.Lock()

    def _read(self) -> dict:
        try:
            with open(self._path, encoding="utf-8") as file:
                state = json.load(file)
        except (FileNotFoundError, ValueError):
            state = {}
        return {"verified": set(state.get("verified", [])), "mail_from": dict(state.get("mail_from", {}))}

    def _write(self, state: dict) -> None:
        os.makedirs(os.path.dirname(self._path) or ".", exist_ok=True)
        with open(self._path, "w", encoding="utf-8") as file:
            json.dump({"verified": sorted(state["verified"]), "mail_from": state["mail_from"]}, file)

    def is_verified(self, domain: str) -> bool:
        return domain.lower() in self._read()["verified"]

    def mail_from(self, domain: str) -> str | None:
        return self._read()["mail_from"].get(domain.lower())

    def mark(self, domain: str, verified: bool = True) -> None:
        with self._lock:
            state = self._read()
            (state["verified"].add if verified else state["verified"].discard)(domain.lower())
            self._write(state)

    def set_mail_from(self, domain: str, mail_from: str | None) -> None:
        with self._lock:
            state = self._read()
            if mail_from:
                state["mail_from"][domain.lower()] = mail_from
            else:
                state["mail_from"].pop(domain.lower(), None)
            self._write(state)

    def forget(self, domain: str) -> None:
        with self._lock:
            state = self._read()
            state["verified"].discard(domain.lower())
            state["mail_from"].pop(domain.lower(), None)
            self._write(state)


def local_dkim_tokens(domain: str) -> list[str]:
    """Three tokens shaped like SES's (32 lower-case letters and digits), the same for a domain every time."""
    alphabet = "abcdefghijklmnopqrstuvwxyz234567"
    tokens = []
    for index in range(3):
        digest = hashlib.sha256(f"{domain.lower()}#{index}".encode()).digest()
        tokens.append("".join(alphabet[b % 32] for b in digest[:32]))
    return tokens


def install_identity_emulation(session, verifications: LocalVerifications) -> None:
    def remember_request(params, context, **_):
        context[_REQUEST_KEY] = copy.deepcopy(params)

    def complete(parsed, context, **_):
        request = context.get(_REQUEST_KEY) or {}
        domain = request.get("EmailIdentity", "")
        if "Error" in parsed or "@" in domain or not domain:
            return
        dkim = parsed.setdefault("DkimAttributes", {})
        dkim.setdefault("Tokens", local_dkim_tokens(domain))
        verified = verifications.is_verified(domain)
        parsed["VerifiedForSendingStatus"] = verified
        dkim["Status"] = "SUCCESS" if verified else "PENDING"
        dkim["SigningEnabled"] = verified
        mail_from = verifications.mail_from(domain)
        if mail_from:
            parsed["MailFromAttributes"] = {"MailFromDomain": mail_from, "BehaviorOnMxFailure": "USE_DEFAULT_VALUE",
                                            "MailFromDomainStatus": "SUCCESS" if verified else "PENDING"}

    def answer_mail_from(context, **_):
        """moto has no PutEmailIdentityMailFromAttributes: answer it here, as SES would (200, no body)."""
        request = context.get(_REQUEST_KEY) or {}
        verifications.set_mail_from(request.get("EmailIdentity", ""), request.get("MailFromDomain"))
        return SimpleNamespace(status_code=200, headers={}, content=b""), {
            "ResponseMetadata": {"HTTPStatusCode": 200, "HTTPHeaders": {}, "RetryAttempts": 0}}

    def created(parsed, context, **_):
        """A new identity starts unverified, whatever an earlier one of the same name was."""
        domain = (context.get(_REQUEST_KEY) or {}).get("EmailIdentity", "")
        if "Error" not in parsed and domain:
            verifications.forget(domain)
        complete(parsed, context)

    def forget(parsed, context, **_):
        domain = (context.get(_REQUEST_KEY) or {}).get("EmailIdentity", "")
        if "Error" not in parsed and domain:
            verifications.forget(domain)

    for operation in ("CreateEmailIdentity", "GetEmailIdentity", "DeleteEmailIdentity",
                      "PutEmailIdentityMailFromAttributes"):
        session.events.register(f"before-parameter-build.sesv2.{operation}", remember_request)
    session.events.register("after-call.sesv2.CreateEmailIdentity", created)
    session.events.register("after-call.sesv2.GetEmailIdentity", complete)
    session.events.register("before-call.sesv2.PutEmailIdentityMailFromAttributes", answer_mail_from)
    session.events.register("after-call.sesv2.DeleteEmailIdentity", forget)

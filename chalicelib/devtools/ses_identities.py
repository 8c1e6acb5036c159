"""Local stage only: SES domain identities as real SES answers about them, as far as moto does not.

Measured on moto 5.2.5: CreateEmailIdentity and GetEmailIdentity answer without DKIM tokens, with
`VerifiedForSendingStatus` always false and DKIM status NOT_STARTED; nothing can ever verify a domain
(there is no DNS here either). PutEmailIdentityMailFromAttributes is not implemented. So, on the
shared botocore session (the outbox's trick), this fills in what SES would say:

* three DKIM tokens per domain (stable: derived from the name), and DKIM status PENDING;
* verified (`VerifiedForSendingStatus` true, DKIM SUCCESS) once someone pressed "Mark as verified"
  on the domain's page (`/dev/sending-domains/<domain>/verify`), which stands in for publishing the
  records; the marks live in a file under the local state directory, and deleting the identity
  forgets its mark.
"""

import copy
import hashlib
import json
import os
import threading

_REQUEST_KEY = "local_identity_request"


class LocalVerifications:
    """The domains marked verified in the local stack, in a small JSON file."""

    def __init__(self, path: str):
        self._path = path
        self._lock = threading.Lock()

    def _read(self) -> set[str]:
        try:
            with open(self._path, encoding="utf-8") as file:
                return set(json.load(file).get("verified", []))
        except (FileNotFoundError, ValueError):
            return set()

    def _write(self, domains: set[str]) -> None:
        os.makedirs(os.path.dirname(self._path) or ".", exist_ok=True)
        with open(self._path, "w", encoding="utf-8") as file:
            json.dump({"verified": sorted(domains)}, file)

    def is_verified(self, domain: str) -> bool:
        return domain.lower() in self._read()

    def mark(self, domain: str, verified: bool = True) -> None:
        with self._lock:
            domains = self._read()
            (domains.add if verified else domains.discard)(domain.lower())
            self._write(domains)


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

    def forget(parsed, context, **_):
        domain = (context.get(_REQUEST_KEY) or {}).get("EmailIdentity", "")
        if "Error" not in parsed and domain:
            verifications.mark(domain, verified=False)

    for operation in ("CreateEmailIdentity", "GetEmailIdentity", "DeleteEmailIdentity"):
        session.events.register(f"before-parameter-build.sesv2.{operation}", remember_request)
    session.events.register("after-call.sesv2.CreateEmailIdentity", complete)
    session.events.register("after-call.sesv2.GetEmailIdentity", complete)
    session.events.register("after-call.sesv2.DeleteEmailIdentity", forget)

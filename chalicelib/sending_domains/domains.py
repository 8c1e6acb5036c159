"""Sending domains as the domain sees them: a name checked and normalised, its status, the DNS
records its owner publishes.

An account sends campaigns from MailExpert's shared address, or from an address on a domain of its
own that Amazon SES verified (an SES domain identity with Easy DKIM). Gmail's and Yahoo's rules for
bulk senders (2024) ask for mail that is DKIM-signed, whose SPF or DKIM domain aligns with the From
domain, and a DMARC record on that domain. SES signs with the domain's own DKIM key once the three
CNAME records below are published, which gives the alignment; the DMARC record is the owner's to
publish, and we recommend one. Optionally a custom MAIL FROM subdomain (bounce.example.nl, with an
MX and an SPF record) makes SPF align with the From domain too.

Names are kept in their ASCII (IDNA 2008, "xn--") form, lower-cased: that is what SES and DNS know.
"""

import functools
import re
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from chalicelib.i18n import N_

CLAIM_HOURS = 72  # SES itself gives up on an Easy DKIM domain after 72 hours without its records
MAX_DOMAINS = 10  # per account
MAX_LENGTH = 253

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")
_TOP_LEVEL = re.compile(r"^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
# Names that can never be a customer's own: reserved for examples and tests (RFC 2606, 6761), local
# networks, or mailbox providers nobody can publish DNS records for.
RESERVED_TOP_LEVELS = frozenset({"test", "example", "invalid", "localhost", "local", "internal", "arpa", "lan",
                                 "home", "corp", "onion"})
FOREIGN_DOMAINS = frozenset({"gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com",
                             "live.nl", "hotmail.nl", "icloud.com", "me.com", "aol.com", "ziggo.nl", "kpnmail.nl",
                             "amazonses.com", "amazonaws.com"})

NOT_A_DOMAIN = N_("Enter a domain name you own, like example.nl or news.example.nl (no @, no http://).")
SHARED_DOMAIN = N_("This is MailExpert's own domain: campaigns already go out from it without adding it.")
FOREIGN_DOMAIN = N_("You cannot publish DNS records for this domain: enter a domain of your own.")
PUBLIC_SUFFIX = N_("Many owners share this ending (like co.uk or github.io): enter your own domain under it, such as "
                   "yourname.co.uk.")
NOT_A_LABEL = N_("Enter one word of letters, digits and hyphens, such as bounce or mail.")
SPF_VALUE = "v=spf1 include:amazonses.com ~all"


class DomainStatus(str, Enum):
    PENDING = "pending"  # the records are not (yet) found by SES
    VERIFIED = "verified"  # SES verified the domain: campaigns may be sent from it
    FAILED = "failed"  # SES gave up (records missing for 72 hours, or removed later)
    EXPIRED = "expired"  # not verified in time, and another account has claimed the domain since


STATUS_NAMES = {DomainStatus.PENDING: N_("Waiting for DNS records"), DomainStatus.VERIFIED: N_("Verified"),
                DomainStatus.FAILED: N_("Verification failed"), DomainStatus.EXPIRED: N_("Expired")}


@dataclass
class SendingDomain:
    domain: str  # ASCII form
    account_id: str
    status: DomainStatus
    dkim_tokens: tuple
    created_at: datetime
    checked_at: datetime
    verified_at: datetime | None = None
    mail_from_domain: str | None = None  # a custom MAIL FROM subdomain, e.g. bounce.example.nl
    mail_from_status: DomainStatus | None = None

    @property
    def display_name(self) -> str:
        """The name as people write it (Unicode), for pages."""
        return display_name(self.domain)

    @property
    def verified(self) -> bool:
        return self.status is DomainStatus.VERIFIED


@dataclass(frozen=True)
class Claim:
    """Who holds a domain: one MailExpert account at a time, since SES identities belong to the AWS account."""

    domain: str
    account_id: str
    claimed_at: datetime
    verified: bool
    expires_at: datetime | None  # an unverified claim lapses then; None once verified

    def lapsed(self, now: datetime) -> bool:
        return not self.verified and self.expires_at is not None and self.expires_at <= now


@dataclass(frozen=True)
class DnsRecord:
    kind: str  # CNAME, TXT
    name: str
    value: str
    purpose: str  # a message id: why this record


def normalised_domain(text: str, shared_domain: str) -> str:
    """The ASCII, lower-case form of a domain name someone typed; ValueError with a message id when
    it is not a name of their own."""
    import idna

    name = (text or "").strip().rstrip(".")
    if not name or any(c in name for c in "@/: \t") or len(name) > 4 * MAX_LENGTH:
        raise ValueError(NOT_A_DOMAIN)
    try:
        ascii_name = idna.encode(name, uts46=True).decode("ascii").lower()
    except (idna.IDNAError, UnicodeError):
        raise ValueError(NOT_A_DOMAIN) from None
    labels = ascii_name.split(".")
    if (len(ascii_name) > MAX_LENGTH or len(labels) < 2 or not all(_LABEL.match(label) for label in labels)
            or not _TOP_LEVEL.match(labels[-1])):
        raise ValueError(NOT_A_DOMAIN)
    if labels[-1] in RESERVED_TOP_LEVELS or ascii_name in ("example.com", "example.net", "example.org") \
            or ascii_name.endswith((".example.com", ".example.net", ".example.org")):
        raise ValueError(NOT_A_DOMAIN)
    shared = shared_domain.lower()
    if ascii_name == shared or ascii_name.endswith("." + shared):
        raise ValueError(SHARED_DOMAIN)
    if any(ascii_name == foreign or ascii_name.endswith("." + foreign) for foreign in FOREIGN_DOMAINS):
        raise ValueError(FOREIGN_DOMAIN)
    if _public_suffixes().is_public(ascii_name):
        raise ValueError(PUBLIC_SUFFIX)
    return ascii_name


@functools.cache
def _public_suffixes():
    """The Public Suffix List as the package bundles it (no network): names no one account owns."""
    from publicsuffixlist import PublicSuffixList

    return PublicSuffixList()


def display_name(ascii_name: str) -> str:
    import idna

    try:
        return idna.decode(ascii_name)
    except (idna.IDNAError, UnicodeError):
        return ascii_name


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].lower()


def mail_from_label(text: str) -> str:
    """The first label of a custom MAIL FROM subdomain ("bounce"); ValueError with a message id."""
    label = (text or "").strip().lower()
    if not _LABEL.match(label):
        raise ValueError(NOT_A_LABEL)
    return label


def dns_records(domain: SendingDomain, region: str = "eu-west-1") -> list[DnsRecord]:
    """What the owner publishes: the three Easy DKIM CNAMEs (they verify the domain and let SES sign
    with it), a DMARC policy (Gmail and Yahoo require one of bulk senders), and for a custom MAIL
    FROM subdomain its MX and SPF records."""
    records = [DnsRecord("CNAME", f"{token}._domainkey.{domain.domain}", f"{token}.dkim.amazonses.com",
                         N_("DKIM: proves the domain is yours and lets us sign your mail with it."))
               for token in domain.dkim_tokens]
    records.append(DnsRecord("TXT", f"_dmarc.{domain.domain}", dmarc_value(domain.domain),
                             N_("DMARC: Gmail and Yahoo require it of bulk senders. Start with p=none; once the "
                                "reports show only your own mail, move to p=quarantine.")))
    if domain.mail_from_domain:
        records.append(DnsRecord("MX", domain.mail_from_domain, f"10 feedback-smtp.{region}.amazonses.com",
                                 N_("MAIL FROM: bounces come back to Amazon SES through this subdomain.")))
        records.append(DnsRecord("TXT", domain.mail_from_domain, SPF_VALUE,
                                 N_("SPF: lets Amazon SES send for the MAIL FROM subdomain, so SPF aligns with "
                                    "your domain too.")))
    return records


def dmarc_value(domain: str) -> str:
    return f"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}; adkim=r; aspf=r"


def status_of_identity(identity: dict) -> DomainStatus:
    """A domain's status from SES's GetEmailIdentity answer."""
    dkim = (identity.get("DkimAttributes") or {}).get("Status")
    if identity.get("VerifiedForSendingStatus") and dkim in (None, "SUCCESS"):
        return DomainStatus.VERIFIED
    if dkim == "FAILED":
        return DomainStatus.FAILED
    return DomainStatus.PENDING  # NOT_STARTED, PENDING, TEMPORARY_FAILURE


def mail_from_status_of_identity(identity: dict) -> DomainStatus | None:
    attributes = identity.get("MailFromAttributes") or {}
    if not attributes.get("MailFromDomain"):
        return None
    return {"SUCCESS": DomainStatus.VERIFIED, "FAILED": DomainStatus.FAILED}.get(
        attributes.get("MailFromDomainStatus"), DomainStatus.PENDING)

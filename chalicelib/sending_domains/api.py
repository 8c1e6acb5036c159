"""Sending domains under /api/v1."""

from chalicelib import i18n
from chalicelib.sending_domains.domains import dns_records
from chalicelib.sending_domains.schemas import DnsRecordOut, DomainOut


def domain_out(services, domain) -> DomainOut:
    return DomainOut(domain=domain.domain, display_name=domain.display_name, status=domain.status.value,
                     records=[DnsRecordOut(type=r.kind, name=r.name, value=r.value, purpose=i18n.gettext(r.purpose))
                              for r in dns_records(domain, services.sending_domains.region)],
                     created_at=domain.created_at, checked_at=domain.checked_at, verified_at=domain.verified_at,
                     mail_from_domain=domain.mail_from_domain,
                     mail_from_status=domain.mail_from_status.value if domain.mail_from_status else None)

"""Sending domains without I/O: which names are a domain of one's own, the records to publish, the status."""

from datetime import datetime, timedelta, timezone

import pytest

from chalicelib.sending_domains.domains import (FOREIGN_DOMAIN, NOT_A_DOMAIN, PUBLIC_SUFFIX, SHARED_DOMAIN, Claim,
                                                DomainStatus, SendingDomain, dns_records, normalised_domain,
                                                status_of_identity)

NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("typed, stored", [
    ("Bakkerij-Jansen.NL", "bakkerij-jansen.nl"),
    (" nieuws.bakkerij-jansen.nl. ", "nieuws.bakkerij-jansen.nl"),
    ("bakkerij-café.nl", "xn--bakkerij-caf-meb.nl"),
    ("xn--bakkerij-caf-meb.nl", "xn--bakkerij-caf-meb.nl"),
    ("straße.de", "xn--strae-oqa.de"),
    ("mail.bakkerij.co.uk", "mail.bakkerij.co.uk"),
])
def test_a_domain_is_kept_lower_case_in_its_ascii_form(typed, stored):
    assert normalised_domain(typed, "mailexpert.nl") == stored


@pytest.mark.parametrize("typed, message", [
    ("", NOT_A_DOMAIN), ("bakkerij", NOT_A_DOMAIN), ("bakkerij.nl/", NOT_A_DOMAIN), ("@bakkerij.nl", NOT_A_DOMAIN),
    ("http://bakkerij.nl", NOT_A_DOMAIN), ("bakker ij.nl", NOT_A_DOMAIN), ("10.0.0.1", NOT_A_DOMAIN),
    ("bakkerij.local", NOT_A_DOMAIN), ("shop.example.org", NOT_A_DOMAIN), ("a" * 64 + ".nl", NOT_A_DOMAIN),
    ("bakkerij.nl-", NOT_A_DOMAIN), ("MailExpert.nl", SHARED_DOMAIN), ("klant.mailexpert.nl", SHARED_DOMAIN),
    ("hotmail.com", FOREIGN_DOMAIN), ("eu-west-1.amazonses.com", FOREIGN_DOMAIN),
    ("co.uk", PUBLIC_SUFFIX), ("CO.UK.", PUBLIC_SUFFIX), ("github.io", PUBLIC_SUFFIX), ("amsterdam", NOT_A_DOMAIN),
])
def test_a_name_that_is_not_a_domain_of_ones_own_is_refused_saying_why(typed, message):
    with pytest.raises(ValueError) as refused:
        normalised_domain(typed, "mailexpert.nl")
    assert str(refused.value) == message


def test_records_are_three_dkim_cnames_and_a_dmarc_policy():
    domain = SendingDomain("bakkerij.nl", "acc", DomainStatus.PENDING, ("aaa", "bbb", "ccc"), NOW, NOW)
    records = dns_records(domain)
    assert [(r.kind, r.name, r.value) for r in records[:3]] == [
        ("CNAME", f"{t}._domainkey.bakkerij.nl", f"{t}.dkim.amazonses.com") for t in ("aaa", "bbb", "ccc")]
    assert (records[3].kind, records[3].name) == ("TXT", "_dmarc.bakkerij.nl")
    assert records[3].value.startswith("v=DMARC1; p=none; rua=mailto:")


@pytest.mark.parametrize("identity, status", [
    ({"VerifiedForSendingStatus": True, "DkimAttributes": {"Status": "SUCCESS"}}, DomainStatus.VERIFIED),
    ({"VerifiedForSendingStatus": False, "DkimAttributes": {"Status": "PENDING"}}, DomainStatus.PENDING),
    ({"VerifiedForSendingStatus": False, "DkimAttributes": {"Status": "NOT_STARTED"}}, DomainStatus.PENDING),
    ({"VerifiedForSendingStatus": False, "DkimAttributes": {"Status": "TEMPORARY_FAILURE"}}, DomainStatus.PENDING),
    ({"VerifiedForSendingStatus": False, "DkimAttributes": {"Status": "FAILED"}}, DomainStatus.FAILED),
    ({"VerifiedForSendingStatus": True, "DkimAttributes": {"Status": "FAILED"}}, DomainStatus.FAILED),
])
def test_the_status_follows_what_ses_says(identity, status):
    assert status_of_identity(identity) is status


def test_only_an_unverified_claim_lapses_and_only_after_its_time():
    pending = Claim("bakkerij.nl", "acc", NOW, False, NOW + timedelta(hours=72))
    assert not pending.lapsed(NOW + timedelta(hours=71)) and pending.lapsed(NOW + timedelta(hours=72))
    assert not Claim("bakkerij.nl", "acc", NOW, True, None).lapsed(NOW + timedelta(days=400))


def test_a_mail_from_subdomain_is_one_label_and_adds_an_mx_and_an_spf_record():
    from chalicelib.sending_domains.domains import NOT_A_LABEL, mail_from_label

    assert mail_from_label(" Bounce ") == "bounce"
    for bad in ("", "bou.nce", "-x", "x-", "b_b", "a" * 64):
        with pytest.raises(ValueError) as refused:
            mail_from_label(bad)
        assert str(refused.value) == NOT_A_LABEL
    domain = SendingDomain("bakkerij.nl", "acc", DomainStatus.VERIFIED, ("aaa",), NOW, NOW,
                           mail_from_domain="bounce.bakkerij.nl", mail_from_status=DomainStatus.PENDING)
    extra = [(r.kind, r.name, r.value) for r in dns_records(domain, "eu-central-1")[2:]]
    assert extra == [("MX", "bounce.bakkerij.nl", "10 feedback-smtp.eu-central-1.amazonses.com"),
                     ("TXT", "bounce.bakkerij.nl", "v=spf1 include:amazonses.com ~all")]

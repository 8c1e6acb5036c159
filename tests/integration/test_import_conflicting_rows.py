"""A file that lists an address as subscribed and, further down, as opted out: the opted-out row wins,
even when the subscribed row's chunk is written at the same time or after the suppression."""

from chalicelib.composition import services
from chalicelib.audience.audience import MemberStatus, SuppressionReason
from chalicelib.audience.imports import CHUNK_ROWS
from tests.integration.audience_helpers import account_with_list, import_file, member_addresses


def test_opted_out_row_after_a_subscribed_row_of_the_same_address_wins(client, app_module, aws_resources, outbox):
    # GIVEN a file with anna subscribed on its first row, and marked as spam in a later chunk and in the same one
    cookie, csrf, list_id = account_with_list(client, app_module, aws_resources, outbox)
    fillers = [f"klant{n}@example.com,subscribed" for n in range(CHUNK_ROWS + 10)]
    rows = ["anna@example.com,subscribed", "bram@example.com,subscribed", "bram@example.com,unsubscribed",
            *fillers, "Anna@example.com,Marked as spam"]
    data = ("email,status\n" + "\n".join(rows) + "\n").encode()
    # WHEN it is imported
    import_file(client, app_module, aws_resources, cookie, csrf, list_id, data)
    # THEN both are suppressed with the file's reason, and neither is subscribed any more
    account_id = services().accounts.by_email("anna@example.nl").account_id
    audience = services().audience
    assert audience.suppression(account_id, "anna@example.com").reason is SuppressionReason.COMPLAINT
    assert audience.suppression(account_id, "bram@example.com").reason is SuppressionReason.UNSUBSCRIBED
    for address in ("anna@example.com", "bram@example.com"):
        contact = audience.contact_by_email(account_id, address)
        assert audience.membership(account_id, list_id, contact.contact_id).status is MemberStatus.UNSUBSCRIBED
    subscribed = member_addresses(client, cookie, list_id, "subscribed")
    assert len(subscribed) == len(fillers) and not subscribed & {"anna@example.com", "bram@example.com"}

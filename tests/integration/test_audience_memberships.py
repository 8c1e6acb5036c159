"""A contact's first list lives on the contact item, further lists on member items: the domain
sees one kind of membership either way."""

from types import SimpleNamespace

from chalicelib.audience.audience import ConsentSource, MemberStatus, contact_id_for


def _manual(email, first_name=None):
    return SimpleNamespace(email=email, first_name=first_name, last_name=None, language=None, tags=(), fields={},
                           confirm=False, lawful_basis="met at the fair")


def _account(account_id="acc-1"):
    return SimpleNamespace(account_id=account_id, may_send=True, language="nl", company_name="Bakkerij", name="B")


def _service(aws_resources):
    from chalicelib.composition import services

    return services().audience_service, services().audience


def test_contact_ids_follow_from_the_address_and_differ_per_account():
    # GIVEN one address in two accounts
    # THEN each account has its own stable id for it
    assert contact_id_for("a", "p@example.org") == contact_id_for("a", "p@example.org")
    assert contact_id_for("a", "p@example.org") != contact_id_for("b", "p@example.org")


def test_second_list_is_a_member_item_and_both_lists_page_their_members(aws_resources):
    service, audience = _service(aws_resources)
    account = _account()
    first = service.create_list(account, SimpleNamespace(name="Eerste", description=None))
    second = service.create_list(account, SimpleNamespace(name="Tweede", description=None))
    # GIVEN a contact added to two lists
    service.add_contact(account, first.list_id, _manual("piet@example.org", "Piet"), ConsentSource.MANUAL, "10.0.0.1")
    service.add_contact(account, second.list_id, _manual("piet@example.org"), ConsentSource.MANUAL, "10.0.0.1")
    table = aws_resources.resource("dynamodb").Table("mailexpert-audience")
    items = {i["sk"].split("#")[0]: i for i in table.scan()["Items"] if i["pk"] == "ACCOUNT#acc-1"}
    contact_id = contact_id_for("acc-1", "piet@example.org")
    # THEN the first membership is on the contact item, the second a member item
    assert items["CONTACT"]["list_id"] == first.list_id
    assert items["MEMBER"]["sk"] == f"MEMBER#{contact_id}#{second.list_id}"
    # AND both lists show the contact, with its details, as subscribed
    for audience_list in (first, second):
        contacts, cursor = service.members(account, audience_list.list_id, MemberStatus.SUBSCRIBED)
        assert [(c.email, c.first_name) for c in contacts] == [("piet@example.org", "Piet")] and cursor is None
    # AND the contact's memberships are both lists, each with its own consent record
    memberships = service.memberships(account, audience.get_contact("acc-1", contact_id))
    assert {m.list_id for m in memberships} == {first.list_id, second.list_id}
    assert all(m.consent["lawful_basis"] == "met at the fair" for m in memberships)


def test_changing_details_keeps_the_membership_on_the_contact_item(aws_resources):
    service, audience = _service(aws_resources)
    account = _account()
    first = service.create_list(account, SimpleNamespace(name="Eerste", description=None))
    service.add_contact(account, first.list_id, _manual("piet@example.org"), ConsentSource.MANUAL, None)
    # WHEN the contact is added again with a first name
    service.add_contact(account, first.list_id, _manual("piet@example.org", "Piet"), ConsentSource.MANUAL, None)
    # THEN the name is stored and the membership is still there
    contact = audience.contact_by_email("acc-1", "piet@example.org")
    assert contact.first_name == "Piet"
    assert audience.membership("acc-1", first.list_id, contact.contact_id).status is MemberStatus.SUBSCRIBED


def test_erasing_a_contact_removes_every_membership(aws_resources):
    service, audience = _service(aws_resources)
    account = _account()
    lists = [service.create_list(account, SimpleNamespace(name=n, description=None)) for n in ("A", "B", "C")]
    for audience_list in lists:
        service.add_contact(account, audience_list.list_id, _manual("piet@example.org"), ConsentSource.MANUAL, None)
    contact = audience.contact_by_email("acc-1", "piet@example.org")
    # WHEN the contact is erased
    service.erase_contact(account, contact.contact_id)
    # THEN nothing of it is left but the suppression hash
    table = aws_resources.resource("dynamodb").Table("mailexpert-audience")
    left = [i["sk"].split("#")[0] for i in table.scan()["Items"] if i["pk"] == "ACCOUNT#acc-1"]
    # (the account's daily growth counters hold numbers only, no trace of who came or went)
    assert sorted(kind for kind in left if kind != "GROWTH") == ["LIST", "LIST", "LIST", "SUPPRESSED"]

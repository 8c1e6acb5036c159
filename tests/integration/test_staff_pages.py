"""Staff pages exist only for accounts with the staff flag; to anyone else they are a 404."""

from tests.integration.accounts_helpers import REGISTRATION, log_in, register


def make_staff(email=REGISTRATION["email"]):
    from chalicelib.composition import services

    account = services().accounts.by_email(email)
    account.staff = True
    services().accounts.save(account)


def test_staff_overview_is_a_404_for_an_account_without_the_staff_flag(client, app_module, aws_resources, outbox):
    # GIVEN Anna, signed in, who is not staff
    register(client, app_module, aws_resources, outbox)
    cookie = log_in(client)
    # WHEN she opens the staff area
    response = client.get("/staff", headers={"Cookie": cookie})
    # THEN it does not exist for her, and her navigation has no staff entry
    assert response.status_code == 404
    assert 'href="/staff"' not in client.get("/app", headers={"Cookie": cookie}).body.decode()


def test_staff_overview_opens_for_staff_with_its_navigation_entry(client, app_module, aws_resources, outbox):
    register(client, app_module, aws_resources, outbox)
    make_staff()
    cookie = log_in(client)
    response = client.get("/staff", headers={"Cookie": cookie, "Accept-Language": "en"})
    assert response.status_code == 200
    assert "audit log" in response.body.decode()
    assert 'href="/staff"' in client.get("/app", headers={"Cookie": cookie}).body.decode()


def test_staff_overview_sends_a_visitor_who_is_not_signed_in_to_log_in(client, app_module):
    response = client.get("/staff")
    assert response.status_code in (302, 303) and "/login" in response.headers["Location"]

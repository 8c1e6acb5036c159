"""P18 through the app: /.well-known/security.txt answers as plain text with the security contact,
and the contact page shows that address and links to the file, in Dutch and in English."""

from datetime import datetime, timedelta, timezone


def test_security_txt_is_plain_text_with_the_contact_and_a_fresh_expiry(client):
    # WHEN security.txt is asked for through API Gateway's address
    response = client.get("/.well-known/security.txt")
    # THEN it is the file, as text/plain, not the friendly 404 of the catch-all route
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    fields = dict(line.split(": ", 1) for line in response.body.decode().splitlines() if "Contact" not in line)
    assert "Contact: mailto:info@mailexpert.nl\n" in response.body.decode()
    assert fields["Preferred-Languages"] == "nl, en"
    assert fields["Canonical"] == "http://127.0.0.1:8000/.well-known/security.txt"
    assert fields["Policy"] == "http://127.0.0.1:8000/privacy"
    expires = datetime.strptime(fields["Expires"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    now = datetime.now(timezone.utc)
    assert now < expires < now + timedelta(days=365)
    # AND it carries the headers every response has
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_other_files_under_well_known_are_the_friendly_404(client):
    assert client.get("/.well-known/nothing-here.txt").status_code == 404


def test_contact_page_shows_the_security_address_and_the_file(client):
    for language, heading in (("nl", "Beveiliging"), ("en", "Security")):
        # WHEN the contact page is opened in either language
        body = client.get("/contact", headers={"Accept-Language": language}).body.decode()
        # THEN it names the security contact as a mail link, and links to security.txt
        assert f"<h2 id=\"security-contact\">{heading}</h2>" in body
        assert '<a href="mailto:info@mailexpert.nl">info@mailexpert.nl</a>' in body
        assert 'href="/.well-known/security.txt"' in body


def test_contact_form_shown_again_with_errors_keeps_the_security_contact(client):
    response = client.post("/contact", headers={"Content-Type": "application/x-www-form-urlencoded"},
                           body=b"name=&email=x&subject=&message=kort")
    assert response.status_code == 422
    assert '<a href="mailto:info@mailexpert.nl">info@mailexpert.nl</a>' in response.body.decode()

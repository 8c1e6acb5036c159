def test_home_page_is_dutch_by_default(client):
    body = client.get("/").body.decode()
    assert '<html lang="nl">' in body


def test_home_page_follows_accept_language(client):
    response = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert '<html lang="en">' in response.body.decode()
    assert response.headers["Content-Language"] == "en"


def test_language_switch_is_remembered_in_a_cookie(client):
    # WHEN the visitor picks English
    response = client.get("/?lang=en", headers={"Accept-Language": "nl"})
    # THEN the page is English and the choice is kept for a year
    cookie = response.headers["Set-Cookie"]
    assert '<html lang="en">' in response.body.decode()
    assert cookie.startswith("lang=en;") and "Max-Age=31536000" in cookie and "SameSite=Lax" in cookie
    # AND the next visit with that cookie stays English despite a Dutch browser
    again = client.get("/", headers={"Accept-Language": "nl", "Cookie": "lang=en"})
    assert '<html lang="en">' in again.body.decode()

from chalice.app import Response

from chalicelib.http import add_cookie


def test_cookie_is_added_beside_one_the_view_set():
    response = Response(body="", headers={"Set-Cookie": "session=abc; Path=/"})
    add_cookie(response, "lang=en; Path=/")
    assert response.headers["Set-Cookie"] == ["session=abc; Path=/", "lang=en; Path=/"]
    assert response.to_dict()["multiValueHeaders"]["Set-Cookie"] == ["session=abc; Path=/", "lang=en; Path=/"]


def test_first_cookie_is_a_plain_header():
    response = Response(body="")
    add_cookie(response, "lang=nl; Path=/")
    assert response.headers["Set-Cookie"] == "lang=nl; Path=/"

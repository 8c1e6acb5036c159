import os
import re

from chalicelib.http import CONTENT_SECURITY_POLICY
from chalicelib.template_environments import TEMPLATES_DIR


def test_pages_carry_a_strict_content_security_policy(client):
    response = client.get("/")
    policy = response.headers["Content-Security-Policy"]
    assert policy == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in policy
    assert "script-src 'self'" in policy and "style-src 'self'" in policy


def test_every_response_has_transport_and_sniffing_protection(client):
    for path in ("/", "/health", "/static/app.css", "/api/v1/openapi.json"):
        headers = client.get(path).headers
        assert headers["Strict-Transport-Security"].startswith("max-age=")
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_page_templates_have_no_inline_scripts_or_styles():
    # GIVEN every page template (mail templates are not pages: mail clients need inline styles)
    offenders = []
    for folder, _dirs, files in os.walk(TEMPLATES_DIR):
        if os.path.basename(folder) in ("mail", "snippets"):  # mail clients and other sites need inline styles
            continue
        for name in files:
            text = open(os.path.join(folder, name), encoding="utf-8").read()
            # THEN no <script> without src, no <style>, no style= or on...= attributes
            if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or "<style" in text \
                    or re.search(r"\sstyle=", text) or re.search(r"\son[a-z]+=", text):
                offenders.append(name)
    assert offenders == []


def test_static_assets_are_served_with_their_type_and_cached(client):
    response = client.get("/static/app.css")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/css; charset=utf-8"
    assert "max-age" in response.headers["Cache-Control"]
    assert client.get("/static/app.js").headers["Content-Type"].startswith("text/javascript")


def test_static_route_cannot_reach_outside_its_folder(client):
    assert client.get("/static/..%2F..%2Fapp.py").status_code == 404

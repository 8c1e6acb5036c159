"""The preview of a customer's mail template shows its inline styles without 'unsafe-inline': the
policy names each <style> element and style="" attribute of the preview by its SHA-256 hash (CSP 3),
allows nothing else, and lets no site frame the preview."""

import base64
import hashlib

from chalicelib.campaigns.pages import MAX_STYLE_HASHES, preview_policy


def _hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def _style_src(policy: str) -> list[str]:
    [directive] = [part.strip() for part in policy.split(";") if part.strip().startswith("style-src ")]
    return directive.split()[1:]


def test_each_inline_style_is_allowed_by_its_hash_and_nothing_inline_else():
    # GIVEN mail HTML with a style element and style attributes (one with an entity, one twice)
    html = ('<html><head><style>\n  p { color: #333; }\n</style></head>'
            '<body style="margin:0"><p style="font-family:&quot;Arial&quot;">Hi</p><p style="margin:0">x</p>'
            '<img src="https://example.com/a.png" style="border:0"/></body></html>')
    # WHEN its preview policy is made
    policy = preview_policy(html)
    # THEN the style element's text and each distinct attribute value (as the browser reads it) are hashed
    assert sorted(_style_src(policy)) == sorted([
        "'unsafe-hashes'", _hash("\n  p { color: #333; }\n"), _hash("margin:0"), _hash('font-family:"Arial"'),
        _hash("border:0")])
    # AND no inline style or script is allowed otherwise, and no site may frame the preview
    assert "'unsafe-inline'" not in policy and "script-src" not in policy and "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy and policy.startswith("sandbox;")


def test_preview_without_styles_allows_no_style_at_all():
    assert _style_src(preview_policy("<p>Plain</p>")) == ["'none'"]


def test_style_element_alone_needs_no_unsafe_hashes():
    assert _style_src(preview_policy("<style>b{}</style><b>x</b>")) == [_hash("b{}")]


def test_hashes_are_capped_so_the_header_stays_small():
    # GIVEN a template with very many different inline styles
    html = "".join(f'<p style="margin:{n}px">x</p>' for n in range(MAX_STYLE_HASHES + 50))
    # WHEN its policy is made THEN it names at most MAX_STYLE_HASHES of them
    assert len([s for s in _style_src(preview_policy(html)) if s.startswith("'sha256-")]) == MAX_STYLE_HASHES
    assert len(preview_policy(html)) < 12_000

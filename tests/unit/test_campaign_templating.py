"""Campaign templates: prepared (checked, sanitised) when saved, rendered per recipient in a sandbox."""

import pytest

from chalicelib import errors
from chalicelib.campaigns.campaign_rendering import compile_campaign, compiled_campaign, preview
from chalicelib.campaigns.template_sandbox import DEFAULT_LIMITS, RenderFailed, RenderFailure, RenderLimits
from chalicelib.campaigns.template_saving import prepare_template

EXTRAS = {"unsubscribe_url": "https://mailexpert.nl/u/tok", "preferences_url": "https://mailexpert.nl/p/tok"}


def contact(**changes) -> dict:
    person = {"contact_id": "c1", "email": "anna@example.nl", "first_name": "Anna", "last_name": "de Vries",
              "language": "nl", "fields": {"city": "Utrecht", "url": "https://anna.example.nl/"}}
    fields = changes.pop("fields", None)
    person.update(changes)
    if fields is not None:
        person["fields"] = fields
    return person


def render(html: str, text: str | None = None, subject: str = "Nieuws", *, person=None, limits=DEFAULT_LIMITS):
    prepared = prepare_template(html, text, subject)
    return compile_campaign(prepared, limits=limits).render(person or contact(), EXTRAS)


def field_errors(html: str = "<p>x</p>", text: str | None = None, subject: str = "Nieuws"):
    with pytest.raises(errors.ValidationFailed) as failed:
        prepare_template(html, text, subject)
    return {(problem.field, problem.message): dict(problem.params) for problem in failed.value.field_errors}


# --- personalisation ------------------------------------------------------------------------------

def test_personalisation_fills_standard_and_custom_fields_when_rendered():
    # GIVEN a template using a standard field, a custom field both ways, and the subject
    html = "<p>Hallo {{ contact.first_name }} uit {{ contact.fields.city }} ({{ contact.city }})</p>"
    # WHEN it is rendered for a contact
    mail = render(html, subject="Voor {{ contact.first_name }}")
    # THEN every part carries the contact's data
    assert "Hallo Anna uit Utrecht (Utrecht)" in mail.html
    assert "Hallo Anna uit Utrecht (Utrecht)" in mail.text
    assert mail.subject == "Voor Anna"


def test_missing_fields_render_empty_when_contact_lacks_them():
    # GIVEN a template with fields this contact does not have, even nested ones
    html = "<p>[{{ contact.fields.age }}][{{ contact.nickname }}][{{ contact.fields.a.b.c }}][{{ missing }}]</p>"
    # WHEN it is rendered
    mail = render(html, person=contact(fields={}))
    # THEN each renders as nothing, and the send goes on
    assert "<p>[][][][]</p>" in mail.html


def test_default_falls_back_when_field_is_missing_blank_or_none():
    # GIVEN a template with defaults, and contacts whose name is absent, blank or None
    html = '<p>Hallo {{ contact.first_name | default("lezer") }}, {{ contact.fields.city | d("NL") }}</p>'
    for first_name in ("", "   ", None):
        # WHEN it is rendered
        mail = render(html, person=contact(first_name=first_name, fields={"city": None}))
        # THEN the default is used
        assert "Hallo lezer, NL" in mail.html
    # AND a real value wins over the default
    assert "Hallo Anna, Utrecht" in render(html).html


def test_none_field_renders_empty_when_printed_without_default():
    # GIVEN a field stored as None
    # WHEN it is printed
    mail = render("<p>[{{ contact.fields.city }}]</p>", person=contact(fields={"city": None}))
    # THEN it shows as nothing, not as "None"
    assert "<p>[]</p>" in mail.html


def test_contact_data_is_escaped_in_html_but_plain_in_text_when_it_holds_markup():
    # GIVEN a contact whose name is an XSS attempt
    person = contact(first_name='<script>alert("x")</script> & co')
    # WHEN a mail is rendered for it
    mail = render("<p>Hallo {{ contact.first_name }}</p>", person=person)
    # THEN the HTML part escapes it and the text part shows it as written
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; co" in mail.html
    assert "<script>" not in mail.html
    assert 'Hallo <script>alert("x")</script> & co' in mail.text


def test_subject_is_one_line_when_contact_data_holds_newlines():
    # GIVEN a contact whose name holds a header-injection attempt
    # WHEN the subject is rendered
    mail = render("<p>x</p>", subject="Hoi {{ contact.first_name }}", person=contact(first_name="A\r\nBcc: x@y.nl"))
    # THEN the subject stays on one line
    assert mail.subject == "Hoi A Bcc: x@y.nl"


# --- the sandbox ----------------------------------------------------------------------------------

def test_python_internals_render_nothing_when_template_reaches_for_them():
    # GIVEN templates that reach for Python internals
    # WHEN they are rendered
    mail = render("<p>[{{ ''.__class__ }}][{{ cycler.__init__.__globals__ }}][{{ contact.__class__ }}]</p>")
    # THEN nothing of them shows
    assert "<p>[][][]</p>" in mail.html


@pytest.mark.parametrize("expression", [
    "''.__class__.__mro__[1].__subclasses__()",
    "'x'.ljust(100000000)",
    "'{:>999999999}'.format(1)",
    "[1].append(2)",
])
def test_unsafe_calls_fail_the_render_when_template_makes_them(expression):
    # GIVEN a template calling something the sandbox refuses
    # WHEN it is rendered
    with pytest.raises(RenderFailed) as failed:
        render(f"<p>{{{{ {expression} }}}}</p>")
    # THEN the render fails with a template error, for this recipient only
    assert failed.value.reason is RenderFailure.TEMPLATE_ERROR


@pytest.mark.parametrize("statement, tag", [
    ("{% include 'other.html' %}", "{% include %}"),
    ("{% extends 'base.html' %}", "{% extends %}"),
    ("{% import 'macros.html' as m %}", "{% import %}"),
])
def test_other_templates_are_refused_with_a_field_error_when_template_names_them(statement, tag):
    # GIVEN an HTML template that includes, extends or imports another template
    html = f"<p>Hallo</p>\n{statement}"
    # WHEN it is saved
    problems = field_errors(html)
    # THEN the HTML field gets a message naming the line and the statement
    params = next(params for (field, message), params in problems.items() if field == "html")
    assert params == {"line": 2, "tag": tag}
    assert any("cannot include, import or extend" in message for _, message in problems)


@pytest.mark.parametrize("statement", ["{% macro m() %}x{% endmacro %}", "{% autoescape false %}x{% endautoescape %}",
                                       "{% set x %}y{% endset %}", "{% filter upper %}x{% endfilter %}"])
def test_buffering_and_unescaping_statements_are_refused_when_saved(statement):
    # GIVEN a text part with a statement that could buffer without bound or switch escaping off
    # WHEN it is saved
    problems = field_errors(text=statement)
    # THEN the text field is refused
    assert ("text", "Line %(line)s: %(tag)s cannot be used in a campaign template.") in problems


def test_safe_filter_is_refused_when_saved():
    # GIVEN a template that tries to print contact data unescaped
    # WHEN it is saved
    problems = field_errors("<p>{{ contact.first_name | safe }}</p>")
    # THEN it is refused: there is no such filter here
    assert any("'safe'" in errors.message_text(errors.Message(message, tuple(params.items())))
               for (_, message), params in problems.items())


def test_syntax_error_names_the_line_when_template_is_saved():
    # GIVEN HTML with a broken tag on its third line
    html = "<p>Hallo</p>\n<p>{{ contact.first_name }}</p>\n<p>{{ contact.city }</p>"
    # WHEN it is saved
    problems = field_errors(html)
    # THEN the HTML field's message names line 3
    assert problems[("html", "There is a mistake on line %(line)s: %(detail)s")]["line"] == 3


def test_huge_range_stops_the_render_when_loop_asks_for_it():
    # GIVEN a loop over range(10**9)
    # WHEN it is rendered
    with pytest.raises(RenderFailed) as failed:
        render("<p>{% for i in range(10**9) %}x{% endfor %}</p>")
    # THEN the render stops at once
    assert failed.value.reason is RenderFailure.RANGE_TOO_LARGE


def test_nested_loops_stop_the_render_when_iterations_run_out():
    # GIVEN nested loops that print nothing, over ranges that are each allowed
    html = "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}<p>x</p>"
    # WHEN it is rendered
    with pytest.raises(RenderFailed) as failed:
        render(html)
    # THEN the iteration budget stops it
    assert failed.value.reason is RenderFailure.TOO_MANY_ITERATIONS


def test_slow_render_is_stopped_when_time_limit_passes():
    # GIVEN a loop within every other budget, and no time to render at all
    limits = RenderLimits(max_seconds=0.0)
    # WHEN it is rendered
    with pytest.raises(RenderFailed) as failed:
        render("<p>{% for i in range(500) %}{{ i }}{% endfor %}</p>", limits=limits)
    # THEN the clock stops it
    assert failed.value.reason is RenderFailure.TOO_SLOW


def test_output_limit_stops_the_render_when_part_grows_too_large():
    # GIVEN a loop printing more than the output limit (and time enough: only the output limit is tested)
    limits = RenderLimits(max_output_chars=5_000, max_seconds=60)
    # WHEN it is rendered
    with pytest.raises(RenderFailed) as failed:
        render("<p>{% for i in range(1000) %}{{ contact.first_name }} {% endfor %}</p>", limits=limits)
    # THEN streaming stops at the limit
    assert failed.value.reason is RenderFailure.OUTPUT_TOO_LARGE


@pytest.mark.parametrize("expression", [
    "'a' * 10**9",
    "2 ** 100000",
    "contact.fields.city | replace('t', contact.fields.city * 250000)",
    "'%0999999d' % 1",
])
def test_oversized_values_stop_the_render_when_template_builds_them(expression):
    # GIVEN an expression that would build a huge value in memory
    # WHEN it is rendered
    with pytest.raises(RenderFailed) as failed:
        render(f"<p>{{{{ {expression} }}}}</p>")
    # THEN it is refused before it is built
    assert failed.value.reason is RenderFailure.VALUE_TOO_LARGE


def test_doubling_string_stops_the_render_when_it_grows_too_large():
    # GIVEN a loop that doubles a string each round, without printing it
    html = ("{% set ns = namespace(s='ab') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"
            "<p>{{ ns.s | length }}</p>")
    # WHEN it is rendered
    with pytest.raises(RenderFailed) as failed:
        render(html)
    # THEN the size check stops it long before memory runs out
    assert failed.value.reason is RenderFailure.VALUE_TOO_LARGE


# --- sanitising -----------------------------------------------------------------------------------

def test_scripts_event_handlers_and_javascript_links_are_removed_when_saved():
    # GIVEN HTML with a script, an event handler and a javascript: link
    html = ('<p onclick="steal()">Hallo<script>alert(1)</script></p><img src="https://x.nl/a.png" onerror="x()">'
            '<a href="javascript:alert(1)">klik</a><iframe src="https://evil.example"></iframe>')
    # WHEN it is saved
    stored = prepare_template(html, None, "Nieuws").html
    # THEN none of them is left
    for unsafe in ("<script", "alert", "onclick", "onerror", "javascript:", "iframe"):
        assert unsafe not in stored
    assert '<img src="https://x.nl/a.png">' in stored and "<a>klik</a>" in stored


def test_style_rules_end_up_inline_when_saved():
    # GIVEN HTML whose look comes from a <style> block
    html = ("<html><head><style>p { color: #333333 } .big { font-size: 20px }</style></head>"
            '<body><p class="big">Hallo</p></body></html>')
    # WHEN it is saved
    stored = prepare_template(html, None, "Nieuws").html
    # THEN the rules sit in style attributes and the <style> block is gone
    assert "<style" not in stored
    assert "color:#333333" in stored and "font-size:20px" in stored


def test_jinja_survives_sanitising_when_in_hrefs_attributes_and_table_loops():
    # GIVEN personalisation in an href and a title, a loop between table rows and an if block
    html = ('<a href="{{ contact.fields.url }}" title="{{ contact.first_name | default("jij") }}">jouw pagina</a>'
            '<table>{% for city in contact.fields.cities %}<tr><td>{{ city }}</td></tr>{% endfor %}</table>'
            '{% if contact.fields.vip %}<p>VIP</p>{% endif %}')
    # WHEN it is saved and rendered
    prepared = prepare_template(html, None, "Nieuws")
    person = contact(fields={"url": "https://anna.example.nl/", "cities": ["Gouda", "Delft"], "vip": True})
    mail = compile_campaign(prepared).render(person, EXTRAS)
    # THEN the tags are stored as written and render as meant
    assert '<a href="{{ contact.fields.url }}" title="{{ contact.first_name | default("jij") }}">' in prepared.html
    assert '<a href="https://anna.example.nl/" title="Anna">' in mail.html
    assert "<td>Gouda</td>" in mail.html and "<td>Delft</td>" in mail.html
    assert "<p>VIP</p>" in mail.html


def test_jinja_between_attributes_is_refused_when_saved():
    # GIVEN an if block between the attributes of a tag, which sanitising cannot keep
    # WHEN it is saved
    problems = field_errors('<table><tr><td {% if contact.fields.vip %}bgcolor="gold"{% endif %}>x</td></tr></table>')
    # THEN it is refused with the tag named
    assert [params["tag"] for (field, _), params in problems.items() if field == "html"] == [
        "{% if contact.fields.vip %}"]


def test_braces_written_as_entities_stay_text_when_saved():
    # GIVEN HTML that shows Jinja-like text through character references
    prepared = prepare_template("<p>&#123;&#123; 7*7 &#125;&#125;</p>", None, "Nieuws")
    # WHEN it is rendered
    mail = compile_campaign(prepared).render(contact(), EXTRAS)
    # THEN the braces print as braces and nothing is evaluated
    assert "49" not in mail.html and "49" not in mail.text
    assert "{{ 7*7 }}" in mail.text


# --- the text part --------------------------------------------------------------------------------

def test_text_part_is_derived_with_links_when_none_is_written():
    # GIVEN HTML with a heading, a link and a personalised greeting, and no text part
    html = ('<h1>Hallo {{ contact.first_name }}</h1><p>Lees <a href="https://shop.nl/nieuws">het nieuws</a>.</p>'
            "<ul><li>een</li><li>twee</li></ul>")
    # WHEN it is saved and rendered
    prepared = prepare_template(html, "", "Nieuws")
    mail = compile_campaign(prepared).render(contact(), EXTRAS)
    # THEN the text part reads as text, links shown after their words
    assert prepared.text_derived
    assert "<" not in prepared.text
    assert mail.text.startswith("Hallo Anna\n\nLees het nieuws (https://shop.nl/nieuws).\n\n- een\n- twee")


def test_written_text_part_is_kept_when_given():
    # GIVEN a written text part
    # WHEN it is saved
    prepared = prepare_template("<p>HTML</p>", "Hoi {{ contact.first_name }},\nzie de site.", "Nieuws")
    # THEN it is stored as written
    assert prepared.text == "Hoi {{ contact.first_name }},\nzie de site.\n"
    assert not prepared.text_derived


def test_subject_and_html_are_required_when_saved():
    # GIVEN an empty subject and empty HTML
    # WHEN they are saved
    problems = field_errors(html="  ", subject=" ")
    # THEN both fields are named
    assert {field for field, _ in problems} == {"subject", "html"}


# --- compiling: footer, links, cache, preview -----------------------------------------------------------------

def test_unsubscribe_footer_is_added_when_template_lacks_the_link():
    # GIVEN a template without an unsubscribe link
    # WHEN it is rendered
    mail = render("<p>Hallo</p>")
    # THEN both parts end with a visible unsubscribe link
    assert mail.html.count(EXTRAS["unsubscribe_url"]) == 1
    assert mail.html.index(EXTRAS["unsubscribe_url"]) < mail.html.index("</body>")
    assert mail.text.count(EXTRAS["unsubscribe_url"]) == 1


def test_unsubscribe_footer_is_not_added_when_template_has_the_link():
    # GIVEN a template with its own unsubscribe link, in both parts
    html = '<p>Hallo</p><p><a href="{{ unsubscribe_url }}">Afmelden</a></p>'
    # WHEN it is rendered
    mail = render(html, text="Hallo\nAfmelden: {{ unsubscribe_url }}")
    # THEN the link is there once, the customer's own
    assert mail.html.count(EXTRAS["unsubscribe_url"]) == 1
    assert mail.text.count(EXTRAS["unsubscribe_url"]) == 1
    assert "Afmelden: https://mailexpert.nl/u/tok" in mail.text


def test_links_are_listed_when_saved():
    # GIVEN HTML with web links (one twice), a mailto link and a personalised link
    html = ('<a href="https://a.nl/">a</a><a href="https://b.nl/?x=1&amp;y=2">b</a><a href="https://a.nl/">a</a>'
            '<a href="mailto:info@a.nl">m</a><a href="{{ contact.fields.url }}">p</a>')
    # WHEN it is saved
    prepared = prepare_template(html, None, "Nieuws")
    # THEN the web links are listed once each, in order: the only redirect targets of the campaign
    assert prepared.links == ("https://a.nl/", "https://b.nl/?x=1&y=2")


def test_compiled_campaign_is_reused_when_asked_again():
    # GIVEN a prepared template
    prepared = prepare_template("<p>Hallo</p>", None, "Nieuws")
    # WHEN the same campaign is asked for twice, and then another campaign
    first = compiled_campaign("campaign-1", prepared)
    again = compiled_campaign("campaign-1", prepared)
    other = compiled_campaign("campaign-2", prepared)
    # THEN the first compilation is reused for the same campaign only
    assert again is first
    assert other is not first


def test_preview_renders_for_a_chosen_contact_without_tracking():
    # GIVEN a prepared template
    prepared = prepare_template("<p>Hallo {{ contact.first_name }}</p>", None, "Voor {{ contact.first_name }}")
    # WHEN it is previewed for a contact
    mail = preview(prepared, contact(first_name="Bram"))
    # THEN it shows that contact's mail
    assert mail.subject == "Voor Bram"
    assert "<p>Hallo Bram</p>" in mail.html


def test_render_needs_an_unsubscribe_url_when_sending():
    # GIVEN a compiled campaign
    campaign = compile_campaign(prepare_template("<p>x</p>", None, "Nieuws"))
    # WHEN it is rendered without an unsubscribe URL
    # THEN it refuses: no campaign mail goes out without one
    with pytest.raises(ValueError):
        campaign.render(contact(), {})


@pytest.mark.parametrize("reason, words", [
    (RenderFailure.OUTPUT_TOO_LARGE, "larger than"), (RenderFailure.VALUE_TOO_LARGE, "larger than"),
    (RenderFailure.TOO_SLOW, "longer than"), (RenderFailure.TOO_MANY_ITERATIONS, "loops"),
    (RenderFailure.RANGE_TOO_LARGE, "range()"),
])
def test_broken_limit_is_named_when_a_render_fails_on_it(reason, words):
    from chalicelib.campaigns.template_sandbox import limit_problem

    # GIVEN a render that broke a limit
    # WHEN its problem is asked
    message, params = limit_problem(RenderFailed(reason))
    # THEN the message names that limit, with the limit's value
    assert words in message and (message % params)


def test_template_error_is_no_limit_problem_when_a_render_fails_on_the_data():
    from chalicelib.campaigns.template_sandbox import limit_problem

    # GIVEN a render that failed on template code (which may depend on the recipient's data)
    # WHEN its problem is asked
    # THEN it is not a limit the template breaks for everyone
    assert limit_problem(RenderFailed(RenderFailure.TEMPLATE_ERROR, "TypeError")) is None

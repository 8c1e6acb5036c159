"""Policy text for readers: Markdown rendered without anything a draft could smuggle in, and a diff
that shows removed and added paragraphs and, inside a changed paragraph, the words."""

from chalicelib.notices.policy_text import diff, has_changes, render_markdown


def test_markdown_is_rendered_and_script_raw_html_and_javascript_links_are_dropped():
    html = str(render_markdown("# Titel\n\n<script>alert(1)</script>\n\n<b onclick='x()'>b</b> [a](javascript:alert(1)) "
                               "[b](https://mailexpert.nl/privacy)\n\n- een\n- twee"))
    assert "<h1>Titel</h1>" in html and "<li>een</li>" in html
    # THEN raw HTML is shown as text, never as markup, and no link leads to javascript:
    assert "<script" not in html and "<b " not in html and 'href="javascript' not in html
    assert "&lt;script&gt;" in html
    assert 'href="https://mailexpert.nl/privacy"' in html


def test_diff_marks_removed_added_and_changed_words_and_keeps_the_rest():
    old = "# Privacy\n\nWij bewaren uw IP adres.\n\nCookies blijven.\n\nDeze alinea gaat weg.\n"
    new = "# Privacy\n\nWij bewaren uw IP adres 30 dagen.\n\nCookies blijven.\n\nEen nieuwe alinea.\n"
    blocks = diff(old, new)
    kinds = [block.kind for block in blocks]
    assert kinds[0] == "same" and "same" in kinds[1:]
    changed = [block for block in blocks if block.kind == "changed"]
    assert ("added", " 30 dagen") in changed[0].parts or any(
        kind == "added" and "30" in words for kind, words in changed[0].parts)
    assert has_changes(blocks)


def test_diff_of_equal_texts_has_no_changes_when_only_line_breaks_differ():
    assert not has_changes(diff("Een zin\nover twee regels.\n", "Een zin over twee regels.\n"))


def test_unrelated_paragraphs_are_removed_and_added_never_mixed_word_by_word():
    # GIVEN a policy whose two paragraphs are replaced by one short, unrelated paragraph and one edited one
    old = "Wij gebruiken cookies van derden voor analyse.\n\nU kunt zich op elk moment afmelden via de link.\n"
    new = "Wij delen nooit gegevens met adverteerders.\n\nU kunt zich op elk moment afmelden via de link onderaan.\n"
    blocks = diff(old, new)
    # THEN the unrelated one is shown removed and added whole; the edited one with its words marked
    assert [block.kind for block in blocks] == ["removed", "added", "changed"]
    assert ("added", " onderaan.") in blocks[2].parts or any(kind == "added" and "onderaan" in words
                                                             for kind, words in blocks[2].parts)


def test_the_texts_headings_go_one_level_down_under_a_pages_own_heading():
    # GIVEN a policy text whose title is a level-1 heading, shown on staff's page about the version
    text = "# Privacy policy\n\n## Cookies\n\nWe use few."
    # WHEN it is rendered under the page's heading
    html = str(render_markdown(text, under_heading=True))
    # THEN the page keeps the only h1; the text's headings follow below it
    assert "<h1>" not in html and "<h2>Privacy policy</h2>" in html and "<h3>Cookies</h3>" in html
    # AND on /privacy, where the text is the page, its title stays the h1
    assert "<h1>Privacy policy</h1>" in str(render_markdown(text))

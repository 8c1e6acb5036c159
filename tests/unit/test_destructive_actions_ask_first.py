"""Every destructive action on a page asks first (issue 15): its form carries a question for the
dialog app.js shows (`data-confirm`) and, for a browser without scripts, a required "Yes, I am sure"
tick (`confirm_box()`); its button has the danger style. Read from the templates, so a delete button
added tomorrow is checked too."""

import glob
import os
import re

from chalicelib.template_environments import TEMPLATES_DIR

# Form actions that destroy something: delete, remove, erase, cancel.
DESTRUCTIVE_ACTION = re.compile(r'<form\b[^>]*\baction="[^"]*/(delete|erase|cancel)"[^>]*>(.*?)</form>', re.S)
# Account erasure asks for the password and an "I understand" tick of its own, checked by the server.
OWN_CONFIRMATION = {"/settings/erase"}


def _destructive_forms():
    for path in glob.glob(os.path.join(TEMPLATES_DIR, "pages", "**", "*.html"), recursive=True):
        text = open(path, encoding="utf-8").read()
        for match in DESTRUCTIVE_ACTION.finditer(text):
            action = re.search(r'action="([^"]*)"', match.group(0)).group(1)
            if action not in OWN_CONFIRMATION:
                yield os.path.relpath(path, TEMPLATES_DIR), action, match.group(0)


def _problems(form: str) -> list[str]:
    opening = form[:form.index(">") + 1]
    problems = []
    if "data-confirm=" not in opening or not re.search(r'class="[^"]*\bconfirm\b', opening):
        problems.append('no class="confirm" data-confirm="..." question')
    if "confirm_box()" not in form:
        problems.append("no confirm_box() (the required tick without scripts)")
    if not re.search(r'<button type="submit" class="danger"', form):
        problems.append("its button is not a danger button")
    return problems


def test_every_destructive_form_asks_first_and_looks_dangerous():
    # GIVEN every form in the page templates that deletes, removes, erases or cancels
    forms = list(_destructive_forms())
    assert len(forms) >= 7  # template, image, field, domain, segment, campaign, contact
    # WHEN each is read
    problems = {f"{template} {action}": _problems(form) for template, action, form in forms}
    # THEN each asks first (a dialog with scripts, a required tick without) and has a danger button
    assert {where: found for where, found in problems.items() if found} == {}


def test_check_finds_a_delete_button_that_does_not_ask():
    # GIVEN a delete form as they were before issue 15
    form = ('<form method="post" action="/templates/1/delete"><input type="hidden" name="csrf_token" value="x">'
            '<button type="submit" class="secondary">Delete</button></form>')
    # WHEN it is checked
    # THEN all three shortcomings are named
    assert len(_problems(DESTRUCTIVE_ACTION.search(form).group(0))) == 3

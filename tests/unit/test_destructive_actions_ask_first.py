"""Every destructive action on a page asks first (issue 15): its form carries a question for the
dialog app.js shows (`data-confirm`) and, for a browser without scripts, a required "Yes, I am sure"
tick (`confirm_box()`); its button has the danger style. The server checks the tick as well: every
form that asks posts to a page route registered with `destructive_from` (PageRoutes.page), which does
nothing without `confirmed=yes` (tests/integration/test_destructive_actions_need_the_tick.py). Read
from the templates and the app's routes, so a delete button added tomorrow is checked too."""

import glob
import os
import re

import pytest

from chalicelib.template_environments import TEMPLATES_DIR

# Form actions that destroy something: delete, remove, erase, cancel, withdraw.
DESTRUCTIVE_ACTION = re.compile(r'<form\b[^>]*\baction="[^"]*/(delete|remove|erase|cancel|withdraw)"[^>]*>(.*?)</form>',
                                re.S)
# Destructive forms without the "Yes, I am sure" tick, and why.
WITHOUT_THE_TICK = {
    # the password and an "I understand" tick of its own, both checked by the server
    "/settings/erase",
    # withdrawing permission must be as easy as giving it (GDPR art. 7(3)): one click
    "/settings/testimonials/{{ item.testimonial_id }}/withdraw",
    # staff record a customer's request: who asked, how and when, in fields of the form
    "/staff/testimonials/{{ testimonial.testimonial_id }}/withdraw",
}
ASKING_FORM = re.compile(r'<form\b[^>]*\bclass="(?:[^"]*\s)?confirm(?:\s[^"]*)?"[^>]*>(.*?)</form>', re.S)
JINJA_EXPRESSION = re.compile(r"\{\{.*?\}\}")
# Actions that start from a page's own path (pages/domain.html: "{{ path }}/delete").
WHOLE_PATHS = {"{{ path }}": "/domains/x"}


def _forms(pattern):
    for path in glob.glob(os.path.join(TEMPLATES_DIR, "pages", "**", "*.html"), recursive=True):
        text = open(path, encoding="utf-8").read()
        for match in pattern.finditer(text):
            action = re.search(r'action="([^"]*)"', match.group(0)).group(1)
            yield os.path.relpath(path, TEMPLATES_DIR), action, match.group(0)


def _destructive_forms():
    return [(template, action, form) for template, action, form in _forms(DESTRUCTIVE_ACTION)
            if action not in WITHOUT_THE_TICK]


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


def _route_of(action: str, page_posts: dict) -> str | None:
    """The page route a form's action posts to, as the router picks it (concrete parts before
    parameters), with each {{ ... }} in it standing for one path part."""
    from chalice.local import RouteMatcher

    address = JINJA_EXPRESSION.sub(lambda expression: WHOLE_PATHS.get(expression.group(0), "x"), action)
    try:
        return RouteMatcher(list(page_posts)).match_route(address).route
    except ValueError:
        return None


@pytest.fixture(scope="module")
def page_posts():
    """Every page route that takes a POST (not /api, not the catch-all), with its view function."""
    import app as app_module

    return {path: methods["POST"].view_function for path, methods in app_module.app.routes.items()
            if "POST" in methods and not path.startswith("/api/") and "+" not in path}


def test_every_destructive_form_asks_first_and_looks_dangerous():
    # GIVEN every form in the page templates that deletes, removes, erases, cancels or withdraws
    forms = _destructive_forms()
    # template, image, field, domain, segment, campaign, contact, contact off a list, policy version
    assert len(forms) >= 9
    # WHEN each is read
    problems = {f"{template} {action}": _problems(form) for template, action, form in forms}
    # THEN each asks first (a dialog with scripts, a required tick without) and has a danger button
    assert {where: found for where, found in problems.items() if found} == {}


def test_every_form_that_asks_first_posts_to_a_route_that_checks_the_tick(page_posts):
    # GIVEN every form that asks first (class="confirm"), and the app's page routes that take a post
    asking = list(_forms(ASKING_FORM))
    assert len(asking) == len(_destructive_forms())
    # WHEN the route each one posts to is found
    routes = {f"{template} {action}": _route_of(action, page_posts) for template, action, _ in asking}
    # THEN each posts to a page route that refuses a post without the tick
    unchecked = {where: route for where, route in routes.items()
                 if route is None or not getattr(page_posts[route], "destructive_from", None)}
    assert unchecked == {}


def test_check_finds_a_delete_button_that_does_not_ask():
    # GIVEN a delete form as they were before issue 15
    form = ('<form method="post" action="/templates/1/delete"><input type="hidden" name="csrf_token" value="x">'
            '<button type="submit" class="secondary">Delete</button></form>')
    # WHEN it is checked
    # THEN all three shortcomings are named
    assert len(_problems(DESTRUCTIVE_ACTION.search(form).group(0))) == 3


def test_check_finds_a_route_that_does_not_check_the_tick(page_posts):
    # GIVEN a form that asks first, posting to a page route registered without destructive_from
    action = "/campaigns/{{ campaign.campaign_id }}/pause"
    # WHEN the route it posts to is found
    route = _route_of(action, page_posts)
    # THEN it is the route of pause, resume and test, which does not check the tick; cancel's own does
    assert route == "/campaigns/{campaign_id}/{action}"
    assert getattr(page_posts[route], "destructive_from", None) is None
    assert page_posts[_route_of("/campaigns/{{ campaign.campaign_id }}/cancel", page_posts)].destructive_from

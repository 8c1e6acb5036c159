"""Routes of notices: the public privacy policy, the policy banner's dismiss, and the staff pages
of policy versions (`staff=True`: a 404 for anyone without the staff flag)."""

from chalice import Blueprint

from chalicelib.accounts.page_routes import PageRoutes
from chalicelib.composition import services

routes = Blueprint(__name__)
pages = PageRoutes(routes, services)
api = None  # no /api/v1 operations yet


@pages.page("/privacy", signed_in=False)
def privacy(account, query, visit):
    from chalicelib.notices.pages import policy_page

    return policy_page(visit)


@pages.page("/privacybeleid", signed_in=False)
def privacybeleid(account, query, visit):
    from chalicelib.notices.pages import policy_page

    return policy_page(visit)


@pages.page("/privacy/dismiss/{number}", methods=["POST"], allow_deactivated=True)
def dismiss_policy_banner(account, form, visit, number):
    from chalicelib.notices.pages import dismiss_banner

    return dismiss_banner(account, visit, number)


@pages.page("/staff/policy", staff=True)
def policy_versions(account, query, visit):
    from chalicelib.notices.pages import versions_page

    return versions_page(account, visit)


@pages.page("/staff/policy", methods=["POST"], staff=True)
def draft_policy_version(account, form, visit):
    from chalicelib.notices.pages import submit_draft

    return submit_draft(account, form, visit)


@pages.page("/staff/policy/{number}", staff=True)
def policy_version(account, query, visit, number):
    from chalicelib.notices.pages import version_page

    return version_page(account, visit, number)


@pages.page("/staff/policy/{number}", methods=["POST"], staff=True)
def edit_policy_version(account, form, visit, number):
    from chalicelib.notices.pages import submit_edit

    return submit_edit(account, form, visit, number)


@pages.page("/staff/policy/{number}/announce", methods=["POST"], staff=True)
def announce_policy_version(account, form, visit, number):
    from chalicelib.notices.pages import submit_announce

    return submit_announce(account, form, visit, number)


@pages.page("/staff/policy/{number}/withdraw", methods=["POST"], staff=True, destructive_from="/staff/policy/{number}")
def withdraw_policy_version(account, form, visit, number):
    from chalicelib.notices.pages import submit_withdraw

    return submit_withdraw(account, visit, number)

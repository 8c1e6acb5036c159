"""Routes of testimonials (P15): the customer's page under Settings & Options, staff's pages, and the
public /testimonials page. No /api/v1 operations: a testimonial is given and consented to on a page."""

from chalice import Blueprint

from chalicelib.accounts.page_routes import PageRoutes
from chalicelib.composition import services

routes = Blueprint(__name__)
pages = PageRoutes(routes, services)
api = None


def _pages():
    from chalicelib.testimonials import pages

    return pages


# --- the customer ------------------------------------------------------------------------------------

@pages.page("/settings/testimonials")
def my_testimonials(account, query, visit):
    return _pages().mine_page(account, visit)


@pages.page("/settings/testimonials", methods=["POST"])
def submit_testimonial(account, form, visit):
    return _pages().submit(account, form, visit)


@pages.page("/settings/testimonials/photo-uploaded")
def testimonial_photo_uploaded(account, query, visit):
    return _pages().photo_uploaded(account, visit)


@pages.page("/settings/testimonials/photos/{photo_id}")
def my_testimonial_photo(account, query, visit, photo_id):
    return _pages().own_photo(account, visit, photo_id)


@pages.page("/settings/testimonials/{testimonial_id}/withdraw", methods=["POST"])
def withdraw_testimonial_consent(account, form, visit, testimonial_id):
    return _pages().withdraw(account, visit, testimonial_id)


@pages.page("/settings/testimonials/{testimonial_id}/accept", methods=["POST"])
def accept_testimonial_change(account, form, visit, testimonial_id):
    return _pages().accept(account, form, visit, testimonial_id)


@pages.page("/settings/testimonials/{testimonial_id}/decline", methods=["POST"])
def decline_testimonial_change(account, form, visit, testimonial_id):
    return _pages().decline(account, form, visit, testimonial_id)


# --- staff -----------------------------------------------------------------------------------------

@pages.page("/staff/testimonials", staff=True)
def staff_testimonials(account, query, visit):
    return _pages().staff_list(account, visit)


@pages.page("/staff/testimonials/{testimonial_id}", staff=True)
def staff_testimonial(account, query, visit, testimonial_id):
    return _pages().staff_page(account, visit, testimonial_id)


@pages.page("/staff/testimonials/{testimonial_id}/photo", staff=True)
def staff_testimonial_photo(account, query, visit, testimonial_id):
    return _pages().staff_photo(visit, testimonial_id)


@pages.page("/staff/testimonials/{testimonial_id}/publish", methods=["POST"], staff=True)
def staff_publish_testimonial(account, form, visit, testimonial_id):
    return _pages().staff_publish(account, form, visit, testimonial_id)


@pages.page("/staff/testimonials/{testimonial_id}/unpublish", methods=["POST"], staff=True)
def staff_unpublish_testimonial(account, form, visit, testimonial_id):
    return _pages().staff_unpublish(account, visit, testimonial_id)


@pages.page("/staff/testimonials/{testimonial_id}/propose", methods=["POST"], staff=True)
def staff_propose_testimonial_change(account, form, visit, testimonial_id):
    return _pages().staff_propose(account, form, visit, testimonial_id)


@pages.page("/staff/testimonials/{testimonial_id}/withdraw", methods=["POST"], staff=True)
def staff_withdraw_testimonial(account, form, visit, testimonial_id):
    return _pages().staff_withdraw(account, form, visit, testimonial_id)


# --- public ----------------------------------------------------------------------------------------

@pages.page("/testimonials", signed_in=False)
def public_testimonials(account, query, visit):
    return _pages().public_page(visit.services)


@pages.page("/testimonials/{testimonial_id}/photo", signed_in=False)
def public_testimonial_photo(account, query, visit, testimonial_id):
    return _pages().public_photo(visit.services, testimonial_id)

"""One way to turn an error into the text people read: its message id translated, its params filled in,
the same for API problem details, the messages beside form fields, and page notices."""

from chalicelib import errors, forms, i18n


def test_domain_error_text_is_translated_with_its_params_filled_in():
    # GIVEN a domain error whose message has a param
    error = errors.ValidationFailed("Please enter at least %(min_length)s characters.", min_length=8)
    # WHEN its text is asked in Dutch and in English
    with i18n.use_language("nl"):
        dutch = errors.message_text(error)
    with i18n.use_language("en"):
        english = errors.message_text(error)
    # THEN each is the translated message with the param in it
    assert dutch == "Vul minstens 8 tekens in."
    assert english == "Please enter at least 8 characters."


def test_field_error_text_is_the_same_in_problem_details_and_beside_the_form_field():
    # GIVEN a validation failure with a field error whose params are pairs
    field_error = errors.FieldError("password", "Please enter at least %(min_length)s characters.", (("min_length", 8),))
    failure = errors.ValidationFailed(field_errors=[field_error])
    # WHEN it is shown by the API and beside the form field
    with i18n.use_language("nl"):
        problem = errors.problem_details(failure, "/api/v1/x", i18n.gettext)
        beside_field = forms.messages_by_field(failure)
        text = errors.message_text(field_error)
    # THEN all three say the same
    assert problem["errors"] == [{"field": "password", "message": text}]
    assert beside_field == {"password": text} and text == "Vul minstens 8 tekens in."


def test_text_without_params_is_left_as_translated():
    # GIVEN an error without params whose message holds a percent sign
    error = errors.Conflict("Only 100% sure answers, please.")
    # WHEN its text is asked
    # THEN the percent sign is kept, nothing is filled in
    assert errors.message_text(error, gettext=lambda message: message) == "Only 100% sure answers, please."


def test_deactivated_account_is_sent_to_reactivate_on_pages_and_answers_403_in_the_api():
    from chalicelib.accounts.page_routes import AccountDeactivated
    from chalicelib.http import error_response

    # GIVEN the error a deactivated account gets (known to the HTTP layer by its type)
    error = AccountDeactivated()
    # WHEN a page and an API route answer with it
    page, api = error_response(error, "/lists"), error_response(error, "/api/v1/lists")
    # THEN the page sends the browser to /reactivate, the API says 403
    assert isinstance(error, errors.AccountDeactivated)
    assert page.status_code == 303 and page.headers["Location"] == "/reactivate"
    assert api.status_code == 403

from chalicelib import errors, i18n


def test_problem_details_follow_rfc_9457():
    # GIVEN a validation failure with one field error
    error = errors.ValidationFailed(field_errors=[errors.FieldError("email", "Enter an e-mail address.")])
    # WHEN it is turned into problem details in English
    with i18n.use_language("en"):
        body = errors.problem_details(error, "/api/v1/contact-messages", i18n.gettext)
    # THEN it has the RFC 9457 members and names the field
    assert body["type"] == "https://mailexpert.nl/problems/validation-failed"
    assert body["status"] == 422
    assert body["title"] == "Some fields need your attention"
    assert body["instance"] == "/api/v1/contact-messages"
    assert body["errors"] == [{"field": "email", "message": "Enter an e-mail address."}]


def test_problem_details_are_translated_to_dutch():
    error = errors.NotFound()
    with i18n.use_language("nl"):
        body = errors.problem_details(error, "/x", i18n.gettext)
    assert body["title"] != "We could not find that"
    assert body["status"] == 404


def test_message_parameters_are_filled_in():
    error = errors.NotFound("There is no job called %(name)s.", name="nightly")
    with i18n.use_language("en"):
        body = errors.problem_details(error, "/dev/jobs/nightly", i18n.gettext)
    assert body["detail"] == "There is no job called nightly."


def test_too_many_requests_tells_when_to_retry():
    error = errors.TooManyRequests(retry_after_s=30)
    with i18n.use_language("en"):
        body = errors.problem_details(error, "/login", i18n.gettext)
    assert error.headers == {"Retry-After": "30"}
    assert body["retry_after_s"] == 30


def test_statuses_chalice_produces_map_to_domain_errors():
    assert errors.error_for_status(415) is errors.UnsupportedMediaType
    assert errors.error_for_status(405) is errors.MethodNotAllowed
    assert errors.error_for_status(400) is errors.MalformedRequest
    assert errors.error_for_status(502) is errors.InternalError

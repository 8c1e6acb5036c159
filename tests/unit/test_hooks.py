"""A hook calls its subscribers in the order they subscribed, with the caller's arguments."""

import pytest

from chalicelib.hooks import Hook


def test_subscribers_are_called_in_order_when_the_hook_is_called():
    # GIVEN a hook with two subscribers
    hook, calls = Hook(), []
    first = hook.subscribe(lambda *args, **kwargs: calls.append(("first", args, kwargs)))
    hook.subscribe(lambda *args, **kwargs: calls.append(("second", args, kwargs)))
    # WHEN it is called
    hook("acct1", count=3)
    # THEN each subscriber gets the arguments, in the order they subscribed; subscribe returns the function
    assert calls == [("first", ("acct1",), {"count": 3}), ("second", ("acct1",), {"count": 3})]
    assert callable(first)


def test_a_failing_subscriber_stops_the_rest_when_the_hook_is_called():
    # GIVEN a hook whose first subscriber fails
    hook, calls = Hook(), []

    @hook.subscribe
    def failing(event):
        raise ConnectionError("write failed")

    hook.subscribe(calls.append)
    # WHEN it is called THEN the caller gets the error and the later subscriber is not called
    with pytest.raises(ConnectionError):
        hook("event")
    assert calls == []

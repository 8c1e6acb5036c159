"""Hooks: how one domain tells others that something happened, without importing them.

A service owns a `Hook` for each happening it announces ("a contact was erased", "tracking was
switched off"); the composition root (`chalicelib.composition`) subscribes the other domains'
functions to it. The service calls the hook; it never knows who listens. Subscribers run in the
order they subscribed, in the caller's thread; an exception in one stops the rest and reaches the
caller, as a direct call would. Calling a hook returns the subscribers' answers in that order, for
the hooks that collect (for example the campaigns still sending from a domain about to be removed).
"""


class Hook:
    """Subscribers to one happening, called in the order they subscribed."""

    def __init__(self):
        self._subscribers = []

    def subscribe(self, subscriber):
        self._subscribers.append(subscriber)
        return subscriber

    def __call__(self, *args, **kwargs) -> list:
        return [subscriber(*args, **kwargs) for subscriber in self._subscribers]

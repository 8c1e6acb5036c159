"""Operator commands, run from a shell with the stage's environment; never reachable by a request."""

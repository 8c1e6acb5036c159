"""Delivery: rendering and sending mail through SES, and ingesting what SES reports back."""

"""Audience: lists, contacts, consent, sign-up forms, imports and exports, unsubscribes, suppression."""

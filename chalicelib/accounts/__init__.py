"""Accounts: registration, e-mail verification, passwords, sessions, settings, audit (P1, P5, P9, P11, P13)."""

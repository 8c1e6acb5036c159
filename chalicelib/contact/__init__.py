"""Contact (P18): questions about privacy and security reach MailExpert's support inbox."""

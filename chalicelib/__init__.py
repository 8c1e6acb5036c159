"""MailExpert: e-mail marketing on serverless AWS."""

VERSION = "0.1.0"

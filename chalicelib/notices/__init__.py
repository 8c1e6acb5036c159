"""MailExpert's own voice: privacy policy versions and their notices (P17, P18), and the broadcast
engine that delivers MailExpert's own messages to its account holders exactly once."""

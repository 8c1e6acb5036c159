"""Staff's own pages: what MailExpert's staff (accounts with the staff flag) do for every account."""

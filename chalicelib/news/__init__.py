"""MailExpert's own news for account holders: the news page (product news, policy changes, service
announcements, newest first, with unread marks), staff's service announcements (P16) with an optional
maintenance banner, and staff's product news (P4) with its one-click unsubscribe."""

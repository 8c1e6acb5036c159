"""Testimonials (P15): customers' words about MailExpert, published only with their recorded consent."""

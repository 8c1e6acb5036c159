"""Cookie consent (P9): the banner's choices, recorded so they can be proven."""

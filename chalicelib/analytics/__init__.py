"""First-party page analytics (P2, P14): what a beacon reports, with consent, and nothing for third parties."""

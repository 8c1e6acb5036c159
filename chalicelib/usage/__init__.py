"""Usage metering, plans and their quotas (P3, P7): one service that the domains ask before work is queued."""

"""An account's own sending domains: SES domain identities with Easy DKIM, one account per domain."""

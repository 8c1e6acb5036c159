"""Partner statistics (P12): aggregates for partners and suppliers that never hold personal data."""

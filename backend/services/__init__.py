"""Use cases, one module per domain: every write goes through here."""

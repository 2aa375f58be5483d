"""Reliability: bad input of every kind is refused cleanly and leaves the ledger unchanged."""

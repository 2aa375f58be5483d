"""antq-ledger read side: SQLAlchemy read models rebuilt from the event log.

Each read model keeps append-only facts (one row per event, with its legal date and recording
time), so a query can ask for the world as it was on a legal date (``as_of``) and as the
ledger knew it at a moment (``known_at``). Positions are committed with the rows.
"""

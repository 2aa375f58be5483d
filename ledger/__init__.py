"""antq-ledger write side: aggregates, commands and the Ledger application.

Importing this package is cheap; import ``ledger.application`` for the Ledger itself.
"""

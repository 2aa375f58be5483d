"""antq: the command line over the ledger (click)."""

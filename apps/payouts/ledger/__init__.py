"""The ledger's write side (posting) and read side (balances); recipes turn business events into entries."""

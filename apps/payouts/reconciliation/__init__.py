"""Reconciliation: the ledger against Stripe's balance transactions."""

"""Payouts: the money side of the network, behind the one Stripe door (stripe_client).

stripe_client      the only module that imports `stripe` (import-linter contract)
stripe_settings    saving the network's Stripe keys; crypto encrypts them at rest
webhooks/          Stripe's events: endpoint, inbox (verify → store → process once), handlers per family
payments/          money from customers and back: gateway for checkout, charges, customer refunds, disputes
transfers/         money to participants: transfers, reversals, settlement, the sweeper
profit_share/      the pure split rule, its versioned policy, each order's statements
ledger/            the double-entry ledger: posting, balances, recipes per business event
reconciliation/    the ledger against Stripe's balance transactions
connect/           Connect onboarding of participants (cross_border: which service agreement), and bank payouts
order_listeners    orders' hooks → money tasks
tasks              every Celery task (explicit names; beat schedules some)
selectors          reads for portals and finance pages
"""

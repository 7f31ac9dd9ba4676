"""A stateful, in-memory, Stripe-compatible server for local development and tests.

It is built on the GPL-licensed ``localstripe`` package (a dev/test requirement only) and extends it
from the outside with Connect accounts, transfers, per-account balances, payouts, disputes,
idempotency keys and fault-injection controls. Run it with ``python -m tools.stripe_local``.

This ``__init__`` deliberately imports nothing: ``tools.stripe_local.process`` is used by test suites
to start the server as a subprocess, and must not pull localstripe into their process.
"""

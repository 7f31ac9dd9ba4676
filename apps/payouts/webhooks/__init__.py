"""Stripe webhooks: the endpoint (views), the inbox that verifies, stores and processes each event once
(inbox), the event type → handler registry (registry) and the handlers per event family (handlers/)."""

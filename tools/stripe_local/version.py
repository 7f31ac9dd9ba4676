"""The Stripe API version this server speaks: the pin of the ``stripe`` SDK the application uses
(``stripe.api_version``; ``tests/stripe_local/test_webhooks.py`` checks they agree, so an SDK upgrade
says when to move it). Events are stamped with it unless an endpoint was registered with another.

Only the label moves with the version: objects keep the shapes this server renders (see the README).
"""

API_VERSION = "2026-10-28.endive"

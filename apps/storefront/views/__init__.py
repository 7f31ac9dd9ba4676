"""Consumer pages: catalog.py (home, catalog, configurator, saved designs), orders.py (cart, checkout, orders)."""

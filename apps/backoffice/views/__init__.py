"""Staff and finance pages the Django admin does not serve well: dashboard.py, matching.py, finance.py."""

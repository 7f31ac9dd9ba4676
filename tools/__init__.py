"""Developer and test tooling. Nothing in here is imported by the Django application."""

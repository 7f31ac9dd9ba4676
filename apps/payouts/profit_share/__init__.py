"""The profit share: the pure rule (rule), the versioned policy (policies) and each order's statements
(statements). Empty on purpose: models import the pure rule, so this package imports nothing."""

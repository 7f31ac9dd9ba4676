"""Money from customers and back to them: the order payment gateway, charges, customer refunds and disputes."""

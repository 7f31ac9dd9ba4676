"""Money to participants: transfers released and sent, reversals taken back, orders settled, and the sweeper
that catches up whatever a lost task or hook left undone."""

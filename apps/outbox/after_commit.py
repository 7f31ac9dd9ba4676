"""After-commit callbacks that run in the schema they were registered in.

A callback registered inside `schema_context(...)` whose transaction commits outside it (the demo seed wraps
its schema switch in one transaction, for example) would otherwise run in the public schema and read or enqueue
for the wrong network.
"""

from collections.abc import Callable

from django.db import connection, transaction
from django_tenants.utils import schema_context


def on_commit_in_this_schema(callback: Callable[[], None]) -> None:
    schema = connection.schema_name

    def run() -> None:
        with schema_context(schema):
            callback()

    transaction.on_commit(run)

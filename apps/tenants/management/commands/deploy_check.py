"""After a deploy: every web host answers /readyz (given with --web), and every work queue is consumed by a live
worker pool on the same broker, database and cache (a task round trip inside a network). Prints one JSON line per
check and exits 1 if any failed.

    python manage.py deploy_check --network demo --web http://10.0.0.11:8000 --web http://10.0.0.12:8000
"""

import json
import urllib.error
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.tenants.models import Tenant
from apps.tenants.roundtrip import queue_round_trip


def _ready(base_url: str) -> dict:
    try:
        with urllib.request.urlopen(f"{base_url.rstrip('/')}/readyz", timeout=5) as response:  # noqa: S310 - operator's URL
            return {**json.loads(response.read()), "http": response.status}
    except urllib.error.HTTPError as error:
        return {**json.loads(error.read() or b"{}"), "http": error.code}
    except OSError as error:
        return {"http": None, "error": str(error)}


class Command(BaseCommand):
    help = "Checks a deploy: /readyz on each web host, and a task round trip through every work queue."

    def add_arguments(self, parser):
        parser.add_argument(
            "--network", required=True, help="A network's address: the round trip runs inside it."
        )
        parser.add_argument("--web", action="append", default=[], help="A web host's base URL (repeatable).")
        parser.add_argument("--queues", default=",".join(settings.WORK_QUEUES))
        parser.add_argument("--timeout", type=float, default=30.0, help="Seconds to wait for the workers.")

    def handle(self, *args, network, web, queues, timeout, **options):
        tenant = Tenant.objects.filter(slug=network).first()
        if tenant is None:
            raise CommandError(f"No network with the address {network!r}.")
        failed = []
        for base_url in web:
            ready = _ready(base_url)
            self.stdout.write(json.dumps({"check": "readyz", "web": base_url, **ready}))
            if ready["http"] != 200:
                failed.append(f"readyz {base_url}")
        answers = queue_round_trip(
            queues=tuple(queues.split(",")), schema_name=tenant.schema_name, timeout_s=timeout
        )
        for queue, answer in answers.items():
            self.stdout.write(json.dumps({"check": "task_round_trip", "queue": queue, "answer": answer}))
            if answer is None or answer["network"] != tenant.schema_name:
                failed.append(f"queue {queue}")
        self.stdout.write(json.dumps({"ok": not failed, "failed": failed}))
        if failed:
            raise CommandError(f"Deploy check failed: {', '.join(failed)}")

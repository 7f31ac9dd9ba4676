from django.core.exceptions import ValidationError

from apps.processes.models import Process


def process_code_validate(code: str) -> None:
    """A resource may declare any process of the network's taxonomy (staff-added ones included)."""
    if not Process.objects.filter(code=code).exists():
        raise ValidationError("No process with code %(code)s.", code="unknown_process", params={"code": code})

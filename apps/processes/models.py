"""The process taxonomy: the one list of manufacturing capabilities of a network.

Routing steps (catalog) require a process and resources (suppliers) declare one, both by its `code`; this app
sits below both layers so that neither keeps a copy of the list. Staff edit it in the network admin; a process
they add can be declared by a supplier straight away.
"""

from django.core.exceptions import ValidationError
from django.db import models


class Process(models.Model):
    """A manufacturing capability an asset owner can offer; routing steps require one."""

    code = models.SlugField(
        max_length=40, unique=True, help_text="Stable key used by suppliers and matching."
    )
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    materials = models.JSONField(
        default=list,
        blank=True,
        help_text='Materials it works, e.g. ["oak", "steel"]. Empty means any material.',
    )
    max_length_mm = models.PositiveIntegerField(
        default=0, help_text="Largest part: longest side (0 = no limit)."
    )
    max_width_mm = models.PositiveIntegerField(default=0)
    max_height_mm = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        # The table the catalog created before the taxonomy got its own app (moved without copying rows).
        db_table = "catalog_process"
        ordering = ["name"]
        verbose_name_plural = "processes"

    def __str__(self):
        return self.name

    def clean(self):
        if not isinstance(self.materials, list) or not all(isinstance(m, str) and m for m in self.materials):
            raise ValidationError({"materials": 'A list of material names, e.g. ["oak", "steel"].'})

"""Field validators shared by models, forms and serializers, so every entry point rejects the same values."""

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator

NOT_NEGATIVE = [MinValueValidator(0, message="Must not be negative.")]
AT_LEAST_ONE = [MinValueValidator(1, message="Must be at least 1.")]
POSITIVE_DECIMAL = [MinValueValidator(Decimal("0.01"), message="Must be greater than zero.")]
SPEED_FACTOR = [
    MinValueValidator(Decimal("0.01"), message="Must be greater than zero."),
    MaxValueValidator(Decimal("10"), message="Must be at most 10 (ten times the reference speed)."),
]
TOLERANCE = [MinValueValidator(Decimal("0.001"), message="Must be greater than zero (at least 0.001 mm).")]

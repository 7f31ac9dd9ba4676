"""Country codes are ISO 3166-1 alpha-2: the checked-in list is exactly the assigned codes."""

import pytest
from babel import Locale
from django.core.exceptions import ValidationError

from apps.core.countries import ISO_3166_ALPHA2, validate_country_code

# Codes CLDR lists as territories that ISO 3166-1 does not assign (exceptionally reserved or user-assigned).
NOT_ASSIGNED = {"AC", "CP", "CQ", "DG", "EA", "EU", "EZ", "IC", "QO", "TA", "UN", "XA", "XB", "XK", "ZZ"}


def test_the_list_is_the_249_assigned_codes():
    territories = {code for code in Locale("en").territories if len(code) == 2 and code.isalpha()}
    assert len(ISO_3166_ALPHA2) == 249
    assert territories - NOT_ASSIGNED == ISO_3166_ALPHA2


@pytest.mark.parametrize("code", ["ÄÖ", "XX", "EU", "nl", "N", "NLD", "", "1A"])
def test_anything_else_is_refused(code):
    with pytest.raises(ValidationError):
        validate_country_code(code)


def test_assigned_codes_pass():
    for code in ("NL", "DE", "JP", "KW", "AX"):
        validate_country_code(code)

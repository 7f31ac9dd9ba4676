"""Fixtures of matching's database tests: network alpha with a customer, a carrier and fast solver limits."""

import pytest

from apps.matching.models import MatchingSettings
from apps.matching.selectors import matching_settings_get
from tests.matching.builders import haulier


@pytest.fixture
def fast_matching(in_tenant_a) -> MatchingSettings:
    """Short solver limits (the CPU is shared): tests check behaviour, not solution quality."""
    settings = matching_settings_get()
    settings.commit_time_limit_s = 1.0
    settings.replan_time_limit_s = 1.0
    settings.batch_time_limit_s = 2.0
    settings.save()
    return settings


@pytest.fixture
def carrier(in_tenant_a):
    return haulier()

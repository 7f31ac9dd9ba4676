"""Uploads fixtures shared by the test modules of this folder."""

from tests.uploads.part_network import parts_network  # noqa: F401 - the demo workshops and their process rates

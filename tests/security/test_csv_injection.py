"""Every CSV the project serves goes through apps/core/csv_export.py (formula cells escaped): no other module
writes CSV, so a new export cannot forget the escaping."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WRITERS = ("csv.writer", "csv.DictWriter", "text/csv")


def test_no_module_but_the_csv_export_helper_writes_csv():
    writers = sorted(
        str(path.relative_to(ROOT))
        for folder in ("apps", "config")
        for path in (ROOT / folder).rglob("*.py")
        if any(marker in path.read_text() for marker in WRITERS)
    )
    assert writers == ["apps/core/csv_export.py"]

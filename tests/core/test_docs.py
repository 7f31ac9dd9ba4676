"""The project's documents name only paths that exist, so a move that forgets them fails here, not a newcomer."""

import re
from itertools import product
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# A backticked token that is a repository path: a top-level folder followed by a path, or a top-level file.
TOP_LEVEL = ("apps", "bench", "config", "deploy", "docs", "scripts", "static", "templates", "tests", "tools")
ROOT_FILES = ("Makefile", "Procfile", "manage.py", "pyproject.toml", "package.json")
PATH_TOKEN = re.compile(
    rf"^(?:(?:{'|'.join(TOP_LEVEL)})/[\w./{{}},-]*|{'|'.join(map(re.escape, ROOT_FILES))})$"
)
BACKTICKED = re.compile(r"`([^`\n]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
BRACES = re.compile(r"\{([^{}]*)\}")


def _expanded(token: str) -> list[str]:
    """`config/settings/{base,test}.py` -> both paths."""
    parts = BRACES.split(token)
    choices = [[part] if i % 2 == 0 else part.split(",") for i, part in enumerate(parts)]
    return ["".join(chosen) for chosen in product(*choices)]


def named_paths(document: Path) -> set[tuple[str, Path]]:
    """(as written, resolved) for every backticked repository path and every relative link, outside code blocks."""
    text = FENCE.sub("", document.read_text(encoding="utf-8"))
    named = set()
    for token in BACKTICKED.findall(text):
        if PATH_TOKEN.match(token):
            named.update((token, ROOT / path) for path in _expanded(token))
    for target in LINK.findall(text):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue  # a URL or an anchor in the same page
        named.add((target, (document.parent / target.split("#", 1)[0]).resolve()))
    return named


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: path.name)
def test_documents_name_only_paths_that_exist(document):
    missing = sorted(written for written, path in named_paths(document) if not path.exists())
    assert not missing, f"{document.relative_to(ROOT)} names paths that do not exist: {missing}"


def test_architecture_names_many_paths():
    """The check above is not vacuous: the extraction finds the document's links and backticked paths."""
    named = named_paths(ROOT / "docs" / "architecture.md")
    assert len(named) > 100
    assert ("../apps/core/money.py", ROOT / "apps" / "core" / "money.py") in named


def test_readme_commands_exist():
    """Every `manage.py <command>` and `make <target>` README shows is one the repository has."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = set(re.findall(r"manage\.py (\w+)", text))
    ours = {path.stem for path in ROOT.glob("apps/*/management/commands/*.py")}
    # Django's and django-tenants' own commands README may show.
    ours |= {"migrate_schemas", "runserver", "createsuperuser"}
    assert commands and not commands - ours, f"README names unknown commands: {sorted(commands - ours)}"
    targets = set(re.findall(r"`make ([\w-]+)`", text))
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    defined = set(re.findall(r"^([\w-]+):", makefile, re.M))
    assert targets and not targets - defined, (
        f"README names unknown make targets: {sorted(targets - defined)}"
    )

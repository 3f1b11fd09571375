"""webhooks reads audiences (and axreg's plumbing) only: measurements, and later alerts and
follow-ups, import `webhook_emit`, so webhooks importing them back would be a cycle."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.guards.test_import_direction import ROOT, _imported_names

FORBIDDEN = {"journeys", "measurements"}


def webhooks_import_violations(root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / "webhooks").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
        found += [
            f"{relative}:{line} imports {name}"
            for line, name in _imported_names(tree)
            if name.split(".")[0] in FORBIDDEN
        ]
    return found


def test_webhooks_imports_neither_journeys_nor_measurements():
    assert webhooks_import_violations() == []


def test_it_names_an_import_against_the_direction_even_inside_a_function(tmp_path):
    (tmp_path / "webhooks").mkdir()
    (tmp_path / "webhooks" / "services.py").write_text(
        "from audiences.models import Organisation\n"
        "def f():\n    from measurements.models import Alert\n"
    )
    assert webhooks_import_violations(tmp_path) == [
        "webhooks/services.py:3 imports measurements.models.Alert"
    ]

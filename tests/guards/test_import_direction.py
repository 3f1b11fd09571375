"""Apps import one way, the way data flows: audiences ← journeys ← measurements.

Every `.py` under audiences/, journeys/ and axreg/api/ is parsed (not imported), so an import
inside a function counts as much as one at the top, and a new file is checked without anyone
listing it. axreg/urls.py and the settings, which assemble the apps, may import anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Package directory → the first-party top-level modules its files must not import.
FORBIDDEN = {
    "audiences": {"journeys", "measurements"},
    "journeys": {"measurements"},
    # Measurements emits events through webhooks; webhooks knows nothing of what they mean.
    "webhooks": {"journeys", "measurements"},
}
# API plumbing shared by every endpoint: it may read the tenancy models and nothing else.
PLUMBING = "axreg/api"
# (axreg's own modules are plumbing too.)
APPS = {"audiences", "journeys", "measurements", "webhooks"}
PLUMBING_MAY_IMPORT = "audiences.models"


def _imported_names(tree: ast.AST) -> list[tuple[int, str]]:
    """(line, dotted name) of every import; `from x import y` as `x.y`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        # A relative import (level > 0) stays inside its own package, whatever the direction.
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _allowed_in_plumbing(name: str) -> bool:
    if name.split(".")[0] not in APPS:
        return True
    return name == PLUMBING_MAY_IMPORT or name.startswith(PLUMBING_MAY_IMPORT + ".")


def import_direction_violations(root: Path = ROOT) -> list[str]:
    """`file:line imports module` for each import against the direction."""
    violations = []
    checked = [*FORBIDDEN, PLUMBING]
    for directory in checked:
        for path in sorted((root / directory).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=relative)
            for line, name in _imported_names(tree):
                if directory == PLUMBING:
                    against = not _allowed_in_plumbing(name)
                else:
                    against = name.split(".")[0] in FORBIDDEN[directory]
                if against:
                    violations.append(f"{relative}:{line} imports {name}")
    return sorted(set(violations))


def test_no_app_imports_against_the_direction():
    assert import_direction_violations() == []


def test_it_names_each_import_against_the_direction_even_inside_a_function(tmp_path):
    (tmp_path / "journeys").mkdir()
    (tmp_path / "journeys" / "services.py").write_text(
        "def f():\n    from measurements.models import MetricDefinition\n"
    )
    (tmp_path / "audiences").mkdir()
    (tmp_path / "axreg" / "api").mkdir(parents=True)
    (tmp_path / "axreg" / "api" / "base.py").write_text(
        "from audiences.models import Audience\nfrom audiences.services import audit_record\n"
        "from axreg.middleware import server_error\nimport journeys.models\nimport json\n"
    )
    (tmp_path / "audiences" / "views.py").write_text("from . import models\nimport audiences\n")
    assert import_direction_violations(tmp_path) == [
        "axreg/api/base.py:2 imports audiences.services.audit_record",
        "axreg/api/base.py:4 imports journeys.models",
        "journeys/services.py:2 imports measurements.models.MetricDefinition",
    ]

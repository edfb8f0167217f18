"""House rule 1: the domain is plain Python (no Flask, no SQLAlchemy)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "app" / "rules"
FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug", "app.models", "app.services")


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_domain_modules_do_not_import_the_web_or_database_layers() -> None:
    offenders = {
        f"{path.name}: {name}"
        for path in DOMAIN.rglob("*.py")
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)
    }
    assert offenders == set()


def test_importing_the_domain_loads_neither_flask_nor_sqlalchemy() -> None:
    modules = [f"app.rules.{p.stem}" for p in DOMAIN.glob("*.py") if p.stem != "__init__"]
    # A bare ``app`` package stands in for app/__init__.py (the Flask factory), so only
    # what the domain modules themselves import gets loaded.
    code = (
        "import sys, importlib, types\n"
        "pkg = types.ModuleType('app')\n"
        f"pkg.__path__ = [{str(DOMAIN.parent)!r}]\n"
        "sys.modules['app'] = pkg\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert modules
    assert out.stdout.strip() == ""

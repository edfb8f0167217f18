"""The shape of the code holds: the import-linter contracts in pyproject.toml (layers, no
cycles, pure rules) pass, and they do fail when somebody adds an upward import or a cycle;
an import inside a function says why; every background job a use case names exists."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "app"
LINT = Path(sys.executable).parent / "lint-imports"


def _lint(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), "--no-cache"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        check=False,
    )


def _copy(tmp_path: Path) -> Path:
    shutil.copytree(APP, tmp_path / "app", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_contracts_hold() -> None:
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 3 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "complaint"),
    [
        # A rule that reaches up into a feature.
        ("rules/money.py", "import app.cases.lifecycle", "app.rules is not allowed to import"),
        # An earlier stage of a case's life importing a later one.
        ("cases/docket.py", "import app.confirmation.release", "not allowed to import"),
        # The kernel importing the data model.
        ("core/clock.py", "import app.models.cases", "app.core is not allowed to import"),
        # The pure rules importing the web framework.
        ("rules/schedules.py", "import flask", "app.rules is not allowed to import flask"),
        # A cycle inside one feature.
        ("cases/intake.py", "import app.cases.docket", "No cycles are allowed in app.cases"),
    ],
)
def test_a_deliberate_bad_import_breaks_a_contract(
    tmp_path: Path, module: str, bad_import: str, complaint: str
) -> None:
    root = _copy(tmp_path)
    target = root / "app" / module
    target.write_text(target.read_text() + f"\n{bad_import}  # deliberate\n")
    if module == "cases/intake.py":  # close the cycle: docket already imports nothing of intake
        docket = root / "app" / "cases" / "docket.py"
        docket.write_text(docket.read_text() + "\nimport app.cases.intake  # deliberate\n")
    result = _lint(root)
    assert result.returncode != 0
    assert complaint in result.stdout, result.stdout


def _function_imports_without_reason(path: Path, root: Path = ROOT) -> list[str]:
    source = path.read_text()
    lines = source.splitlines()
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for inner in ast.walk(node):
            if isinstance(inner, ast.Import | ast.ImportFrom):
                line = lines[inner.lineno - 1]
                above = lines[inner.lineno - 2].strip() if inner.lineno > 1 else ""
                if "#" not in line and not above.startswith("#"):
                    found.append(f"{path.relative_to(root)}:{inner.lineno}: {line.strip()}")
    return found


def test_an_import_inside_a_function_says_why() -> None:
    offenders = [
        hit for path in APP.rglob("*.py") for hit in _function_imports_without_reason(path)
    ]
    assert offenders == []


def test_the_import_check_sees_an_unexplained_function_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "def f():\n    import json\n    return json\n\n\n"
        "def g():\n    # reason: heavy and optional\n    import csv\n    return csv\n"
    )
    assert _function_imports_without_reason(module, tmp_path) == ["m.py:2: import json"]


def test_every_background_job_a_use_case_names_is_registered() -> None:
    from app import features  # noqa: F401  (loads every feature's tasks)
    from app.core import jobs

    named = {
        match
        for path in APP.rglob("*.py")
        for match in re.findall(r"jobs\.enqueue\(\s*\"([a-z_]+)\"", path.read_text())
    }
    assert named  # the scan finds the calls
    assert named <= jobs.registered()

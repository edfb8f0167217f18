"""The README's list of pre-checks is the code's (app.rules.precheck_list): every block and
warning with its legal source, so it cannot drift."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from app.rules.citations import citations_in, known
from app.rules.confirmability import check_confirmability
from app.rules.precheck_list import MODULES, README, markdown, pre_checks, readme_section
from tests.unit.test_confirmability import everything_wrong


def test_the_readme_section_is_the_generated_list() -> None:
    """Regenerate with ``python -m app.rules.precheck_list --write``."""
    assert readme_section(README.read_text(encoding="utf-8")) == markdown()


def test_every_code_in_the_checks_is_listed_once() -> None:
    written = set()
    for name in MODULES:
        path = Path(importlib.import_module(name).__file__ or "")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and value.startswith("confirm.") and " " not in value:
                written.add(value)
    listed = [c.code for c in pre_checks()]
    assert len(listed) == len(set(listed))
    assert set(listed) == written


def test_every_listed_check_has_a_severity_a_message_and_a_source_from_the_table() -> None:
    for check in pre_checks():
        assert check.severity in {"block", "warn"}
        assert check.message_en.strip() and check.message_en != "…", check.code
        cited = citations_in(check.source)
        assert cited and all(known(t, a) for t, a in cited), check.code


def test_what_the_checks_return_matches_the_list() -> None:
    """Running the checks on an application with every defect gives the listed severity
    and source for each finding (民诉法解释 Arts. 354-358; CPL Arts. 115, 205)."""
    listed = {c.code: c for c in pre_checks()}
    findings = check_confirmability(everything_wrong())
    assert len(findings) > 20
    for finding in findings:
        assert listed[finding.code].severity == finding.severity.value, finding.code
        assert listed[finding.code].source == finding.source, finding.code

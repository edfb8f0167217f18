"""Chinese text uses full-width punctuation (，。：；（）): no ASCII ``,`` ``;`` ``:`` ``(``
``)`` next to a Chinese character, and no ASCII full stop ending a Chinese sentence.
Checked over the zh_Hans_CN catalogue and over the Chinese strings the rules write
themselves (findings, legal sources), which never pass through the catalogue."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
CATALOGUE = ROOT / "translations/zh_Hans_CN/LC_MESSAGES/messages.po"
CJK = r"[\u3400-\u4dbf\u4e00-\u9fff\u3000-\u303f\uff00-\uffef]"
# Placeholders are not text: ``%(name)s`` has ASCII parentheses of its own.
PLACEHOLDER = re.compile(r"%\([A-Za-z_0-9]+\)[sdfr]|%[sd]|\{[^{}]*\}")
ASCII_NEXT_TO_CJK = re.compile(
    rf"{CJK} ?[,;:()]|[,;:()] ?{CJK}|{CJK}\.(?:\s|$)",
)


def ascii_punctuation(text: str) -> list[str]:
    """The places in ``text`` where ASCII punctuation touches Chinese, with context."""
    plain = PLACEHOLDER.sub("X", text)
    return [plain[max(0, m.start() - 6) : m.end() + 6] for m in ASCII_NEXT_TO_CJK.finditer(plain)]


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("请填写金额,例如 12000。", True),
        ("调解实务提示(非法律规定)", True),
        ("已保存.", True),
        ("第 %(n)s 号方案", False),  # a placeholder's parentheses are not punctuation
        ("请填写金额，例如 12,000.50。", False),  # a number's comma and point are its own
        ("（%(detail)s）", False),
    ],
)
def test_the_check_itself(text: str, found: bool) -> None:
    assert bool(ascii_punctuation(text)) is found


def test_the_catalogue_uses_full_width_punctuation() -> None:
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f)
    wrong = {}
    for message in catalogue:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if found := ascii_punctuation(text or ""):
                wrong[str(message.id)] = found
    assert not wrong, wrong


def _string_literals(path: Path) -> list[tuple[int, str]]:
    """String constants of a module, without its docstrings (English prose for readers
    of the code, citing Chinese names in ASCII brackets on purpose)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_the_rules_write_chinese_with_full_width_punctuation() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line}: {found}"
        for path in sorted((ROOT / "app/rules").glob("*.py"))
        for line, text in _string_literals(path)
        if not _regular_expression(text) and (found := ascii_punctuation(text))
    ]
    assert not wrong, "\n".join(wrong)


def _regular_expression(text: str) -> bool:
    """A pattern of a rule table (app.rules.content_rules): alternatives, groups and
    classes are the regular expression's syntax, not punctuation of Chinese prose."""
    return any(mark in text for mark in ("(?:", "|", "\\w", "$"))

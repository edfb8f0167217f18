"""One table of printed citations (app.rules.citations): every citation in the code and the
templates is in it, and every entry of it is used."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import app.rules
from app.rules import claims, confirmability_facts, mediation_failure
from app.rules.citations import CITATIONS, LAWS, citations_in, cite, known

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "app" / "rules" / "citations.py"
# A module-level constant holding only a law's title, used in f-strings: {_CPL}第…条.
_TITLE_CONSTANT = re.compile(r'^(_?[A-Z][A-Z_0-9]*) = "(《[^"]+》(?:（[^"）]*）)?)"$', re.M)


def _files() -> list[Path]:
    found = [*(ROOT / "app").rglob("*.py"), *(ROOT / "templates").rglob("*.html")]
    return sorted(p for p in found if p != TABLE)


def _expanded(path: Path) -> str:
    """The file's text with each law-title constant written into its f-string placeholders."""
    text = path.read_text(encoding="utf-8")
    for name, title in _TITLE_CONSTANT.findall(text):
        text = text.replace("{" + name + "}", title)
    return text


def _rule_constants() -> list[tuple[str, str, str]]:
    """(module, name, value) of every string constant of every app.rules module."""
    found = []
    for info in pkgutil.iter_modules(app.rules.__path__, "app.rules."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, str) and not name.startswith("__"):
                found.append((info.name, name, value))
    return found


def test_cite_joins_the_articles_of_one_law_and_separates_the_laws() -> None:
    assert cite("cpl.205", "cpl.85", "mediation_law.33") == (
        "《中华人民共和国民事诉讼法》第二百零五条、第八十五条；《中华人民共和国人民调解法》第三十三条"
    )
    with pytest.raises(KeyError):
        cite("cpl_interp.9999")


def test_the_reader_finds_every_article_of_a_list_and_reads_short_titles() -> None:
    text = "依照《民事诉讼法》第二百零五条、第八十五条及《中华人民共和国民法典》第十八条第二款"
    assert citations_in(text) == [
        (LAWS["cpl"], "第二百零五条"),
        (LAWS["cpl"], "第八十五条"),
        (LAWS["civil_code"], "第十八条第二款"),
    ]


def test_every_citation_in_the_code_and_the_templates_is_in_the_table() -> None:
    """A clerk checks one table: no file cites an article the table does not hold."""
    unknown = [
        f"{path.relative_to(ROOT)}: {title}{article}"
        for path in _files()
        for title, article in citations_in(_expanded(path))
        if not known(title, article)
    ]
    unknown += [
        f"{module}.{name}: {title}{article}"
        for module, name, value in _rule_constants()
        for title, article in citations_in(value)
        if not known(title, article)
    ]
    assert not unknown, "\n".join(unknown)


def test_every_entry_of_the_table_is_printed_somewhere() -> None:
    """Completeness the other way: each entry is cited by its id, or its text is printed."""
    texts = {path: path.read_text(encoding="utf-8") for path in _files()}
    printed = {
        title + article for path in texts for title, article in citations_in(_expanded(path))
    }
    unused = [
        rule_id
        for rule_id, citation in CITATIONS.items()
        if citation.text not in printed
        and not any(f'"{rule_id}"' in t or f"'{rule_id}'" in t for t in texts.values())
    ]
    assert not unused, unused


def test_every_law_of_the_table_is_cited_by_some_entry() -> None:
    assert {c.law for c in CITATIONS.values()} == set(LAWS)


def test_staged_mediation_cites_cpl_115_and_interpretation_356_358_not_357() -> None:
    """民诉法解释 Art. 357 is the withdrawal of the application; a staged mediation is CPL
    Art. 115, and the court asks for more proof (Art. 356) or rejects it (Art. 358)."""
    for module, name, value in _rule_constants():
        assert "第三百五十七条" not in value, f"{module}.{name}"
    assert cite("cpl.115", "cpl_interp.356", "cpl_interp.358") == confirmability_facts.SOURCE_FAST


def test_the_courts_online_mediation_rules_are_never_printed_as_concords_own_source() -> None:
    """《人民法院在线调解规则》 governs the courts' own platform: named only as the model
    (参照) of the organisation's period, never as the rule that binds it."""
    for module, name, value in _rule_constants():
        if "在线调解规则" in value:
            assert "参照《人民法院在线调解规则》" in value, f"{module}.{name}"
    assert "本组织调解规则" in mediation_failure.SOURCE_PERIOD_EXPIRED


def test_the_bank_card_rules_are_not_cited_for_a_licensed_lenders_charges() -> None:
    """银行卡规定 covers bank-card (credit-card) disputes only: the line for a licensed
    lender is the financial-trial guidance (法发〔2017〕22号 item 2)."""
    for source in (claims.SOURCE_INSTITUTION_LINE, claims.SOURCE_INSTITUTION_4LPR):
        assert "银行卡" not in source and "法发〔2017〕22号" in source

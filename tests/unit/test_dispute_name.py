"""One name for the dispute on every paper and message: 借款合同纠纷 (民事案件案由规定;
its sub-causes 金融借款合同纠纷 and 民间借贷纠纷 are not used as a second name)."""

from __future__ import annotations

from pathlib import Path

from app.rules.agreement_context import DISPUTE_NAME

ROOT = Path(__file__).resolve().parents[2]
OTHER_NAMES = ("债务纠纷", "借款纠纷", "民间借贷纠纷", "金融借款合同纠纷")


def _sources() -> list[Path]:
    return [*ROOT.glob("app/**/*.py"), *ROOT.glob("templates/**/*.html")]


def test_the_dispute_has_one_name_everywhere() -> None:
    assert DISPUTE_NAME == "借款合同纠纷"
    found = [
        f"{path.relative_to(ROOT)}: {line.strip()}"
        for path in _sources()
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.strip().startswith("#") and any(name in line for name in OTHER_NAMES)
    ]
    assert found == []  # comments may name the others, printed text may not


def test_the_papers_use_it() -> None:
    texts = [(ROOT / "templates/documents" / n).read_text() for n in ("package.html",)]
    texts.append((ROOT / "templates/documents/failure_certificate.html").read_text())
    assert all(DISPUTE_NAME in t for t in texts)

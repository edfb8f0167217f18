"""The demo's identity and qualification papers (法释〔2011〕5号 Art. 3) and the creditors'
seals: generated placeholder images, each clearly marked 样本 / SPECIMEN, so the demo's
court packages carry every file the pre-checks ask for.

A real creditor uploads scans of its licences and its seal; a real debtor photographs
their ID card. Nothing here resembles a real document beyond its title.
"""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from app.accounts.creditor_profile import (
    PAPER_KIND_ZH,
    add_creditor_paper,
    current_papers,
    is_natural_person,
    paper_kinds_for,
    set_creditor_seal,
)
from app.cases.papers import (
    ID_SIDES,
    PARTY_ID_SIDES,
    current_paper,
    needs_power_of_attorney,
    record_agent_proof,
    record_identity_copy,
)
from app.demo.evidence import evidence_pdf
from app.demo.seal import seal_png
from app.documents.fonts import FONT_FILES
from app.models.cases import Case
from app.models.evidence import EvidenceCategory
from app.models.organisations import CreditorOrganisation
from app.models.users import User

CARD = (856, 540)  # an ID card's proportions (85.6 × 54 mm)
SPECIMEN = "样本 SPECIMEN"


def specimen_png(title: str, lines: list[str], size: tuple[int, int] = CARD) -> bytes:
    """A plain card with a title, a few lines and a large diagonal 样本 / SPECIMEN mark."""
    image = Image.new("RGB", size, (246, 244, 238))
    draw = ImageDraw.Draw(image)
    sans = str(Path(FONT_FILES["sans"]))
    draw.rectangle((6, 6, size[0] - 7, size[1] - 7), outline=(90, 90, 90), width=3)
    draw.text((40, 36), title, font=ImageFont.truetype(sans, 40), fill=(20, 20, 20))
    body = ImageFont.truetype(sans, 26)
    for i, line in enumerate(lines):
        draw.text((40, 120 + i * 44), line, font=body, fill=(40, 40, 40))
    mark = Image.new("L", size, 0)
    ImageDraw.Draw(mark).text(
        (size[0] / 2, size[1] / 2),
        SPECIMEN,
        font=ImageFont.truetype(sans, 96),
        fill=110,
        anchor="mm",
    )
    mark = mark.rotate(20, resample=Image.Resampling.BICUBIC)
    image.paste((200, 30, 30), (0, 0), mark)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def seed_creditor_profile(org: CreditorOrganisation) -> bool:
    """The creditor's papers (specimens) and, for an institution, its seal; only what is
    missing. True when something was added."""
    changed = False
    have = current_papers(org)
    for kind in paper_kinds_for(org):
        if kind in have:
            continue
        title = PAPER_KIND_ZH[kind]
        code = f"统一社会信用代码 {org.credit_code}" if org.credit_code else "自然人出借人"
        data = specimen_png(title, [org.name, code, "演示材料"])
        add_creditor_paper(None, org, kind, io.BytesIO(data), f"{kind.value}-specimen.png")
        changed = True
    if not needs_seal(org) or org.seal_image is not None:
        return changed
    set_creditor_seal(None, org, seal_png(org.name))
    return True


def needs_seal(org: CreditorOrganisation) -> bool:
    return not is_natural_person(org)


_ID_TITLES = {"front": "居民身份证（人像面）", "back": "居民身份证（国徽面）"}
_NOT_REAL = "演示材料，不是真实证件"


def upload_identity_papers(case: Case, creditor: User) -> None:
    """The debtor's ID copy (front and back, by the debtor when they have an account), each
    guarantor's and co-borrower's who has joined (by them) and, where an agent acts, the
    agent's proof of employment (by the creditor)."""
    debtor = case.debtor_user or creditor
    for side, category in ID_SIDES.items():
        if current_paper(case, category) is None:
            data = specimen_png(_ID_TITLES[side], [f"姓名 {case.debtor_name}", _NOT_REAL])
            record_identity_copy(debtor, case, side, io.BytesIO(data), f"id-{side}.png")
    for party in case.extra_parties:
        if party.user is None:
            continue
        for side, category in PARTY_ID_SIDES.items():
            if current_paper(case, category, party) is None:
                data = specimen_png(_ID_TITLES[side], [f"姓名 {party.name}", _NOT_REAL])
                name = f"id-{side}.png"
                record_identity_copy(party.user, case, side, io.BytesIO(data), name)
    if needs_power_of_attorney(case) and current_paper(case, EvidenceCategory.AGENT_PROOF) is None:
        data = evidence_pdf(
            "在职证明",
            [
                f"兹证明{creditor.name}系{case.creditor_org.name}员工，"
                "受本单位委托办理上述借款合同纠纷的调解及司法确认事宜。",
                f"（{SPECIMEN}）",
            ],
        )
        record_agent_proof(creditor, case, io.BytesIO(data), "在职证明.pdf")

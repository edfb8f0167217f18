"""The consents a debtor gives when joining (PIPL Arts. 14, 23, 29).

Each is separate, versioned and withdrawable. A new wording gets a new version; what a
person agreed to is recorded with the version and the exact text.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ConsentText:
    kind: str
    version: str
    required_to_join: bool
    zh: str
    en: str


CONSENTS: tuple[ConsentText, ...] = (
    ConsentText(
        "share_organisation",
        "2026-11",
        True,
        "我同意调解组织为调解本案处理我的个人信息（含身份证件号码等敏感个人信息）。",
        "I agree that the mediation organisation processes my personal information (including "
        "sensitive information such as my ID number) to mediate this case.",
    ),
    ConsentText(
        "share_creditor",
        "2026-11",
        True,
        "我同意调解组织在调解所必需的范围内向债权人提供我的回复、异议和还款方案。",
        "I agree that the mediation organisation shares my replies, objections and repayment "
        "proposals with the creditor, as far as the mediation needs.",
    ),
    ConsentText(
        "share_court",
        "2026-11",
        False,
        "我同意在申请司法确认时向人民法院提供本案材料及我的身份信息。",
        "I agree that the case file and my identity details are given to the people's court "
        "when judicial confirmation is applied for.",
    ),
    ConsentText(
        "e_service",
        "2026-11",
        False,
        "我同意通过本平台、短信和电子邮件接收调解及司法确认相关文书（电子送达）。",
        "I agree to receive mediation and judicial-confirmation documents through this "
        "platform, SMS and email (electronic service).",
    ),
)


def consent_text(kind: str) -> ConsentText:
    for consent in CONSENTS:
        if consent.kind == kind:
            return consent
    raise KeyError(kind)


def missing_required(given: set[str]) -> list[str]:
    """The consents a debtor must give to take part that are not among ``given``."""
    return [c.kind for c in CONSENTS if c.required_to_join and c.kind not in given]

"""Who signs the agreement, in what order, and which signatures still count.

Changing anything in the agreement makes a new version, and every signature given on an
older version stops counting (a signature binds its signer to the exact content signed:
电子签名法 Art. 13). The parties sign in any order, the
mediator last, with the organisation's seal; the agreement is then in force (人民调解法
Art. 29; cf. 在线调解规则 Art. 19).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Set

from app.rules.agreement_terms import FIRST_VERSION, PARTIES, SIGNERS
from app.rules.errors import Refused
from app.rules.proposals import Side

_SHA256 = re.compile(r"[0-9a-f]{64}")


class AgreementRuleError(Refused):
    """A signing move the agreement rules do not allow; ``code`` says which rule
    (``not_a_signer``, ``already_signed``, ``parties_first``, ``superseded_version``)."""


def next_version(current: int) -> int:
    """The version a change of terms or text creates; every signature on ``current``
    stops counting (``signature_counts``). Versions start at ``FIRST_VERSION``."""
    if isinstance(current, bool) or not isinstance(current, int) or current < FIRST_VERSION:
        raise ValueError("versions are whole numbers from 1")
    return current + 1


def signature_counts(
    signature_version: int,
    signature_doc_sha: str,
    current_version: int,
    current_doc_shas: Collection[str],
) -> bool:
    """A signature counts only if it was given on the current version AND on a document
    of that version: ``current_doc_shas`` are the SHA-256 digests of every PDF served for
    the current version (each signature adds a revision, so later signers see other
    bytes). A signature on a superseded version, or on bytes the platform never served
    for this version, does not count: a signature binds its signer to the exact content
    signed, and any later change must show (电子签名法 Art. 13(4))."""
    sha = signature_doc_sha.strip().lower()
    return (
        signature_version == current_version
        and _SHA256.fullmatch(sha) is not None
        and sha in {s.strip().lower() for s in current_doc_shas}
    )


def who_may_sign_next(signed_roles: Set[str], extra_parties: Set[str] = frozenset()) -> set[str]:
    """Who may sign now, given the roles whose signatures count: the parties (the debtor,
    the creditor and every additional party on the debtor's side, ``extra_parties``:
    ``party-<id>``, :mod:`app.rules.case_parties`) in any order, the mediator only after
    all of them, nobody twice (人民调解法 Art. 29: the mediator signs and seals what the
    parties agreed)."""
    signed = _signers(signed_roles, extra_parties)
    parties_left = (set(map(str, PARTIES)) | set(extra_parties)) - signed
    if parties_left:
        return parties_left
    return set() if str(Side.MEDIATOR) in signed else {str(Side.MEDIATOR)}


def require_may_sign(
    role: str, signed_roles: Set[str], extra_parties: Set[str] = frozenset()
) -> None:
    """Refuse a signature the order does not allow. Codes: ``not_a_signer``,
    ``already_signed``, ``parties_first`` (the mediator before every party)."""
    if role not in set(SIGNERS) | set(extra_parties):
        raise AgreementRuleError("not_a_signer")
    if role in _signers(signed_roles, extra_parties):
        raise AgreementRuleError("already_signed")
    if role not in who_may_sign_next(signed_roles, extra_parties):
        raise AgreementRuleError("parties_first")


def require_current_version(version: int, current_version: int) -> None:
    """Refuse (``superseded_version``) a request to sign any version but the current one."""
    if version != current_version:
        raise AgreementRuleError("superseded_version")


def is_in_force(signed_roles: Set[str], extra_parties: Set[str] = frozenset()) -> bool:
    """In force only when the debtor, every additional party (guarantors, co-borrowers),
    the creditor and the mediator have all signed on the current version (人民调解法
    Art. 29; cf. 在线调解规则 Art. 19); the seal goes on with the mediator's signature."""
    return _signers(signed_roles, extra_parties) == {str(r) for r in SIGNERS} | set(extra_parties)


def _signers(roles: Set[str], extra_parties: Set[str] = frozenset()) -> set[str]:
    known = {str(r) for r in SIGNERS} | set(extra_parties)
    if not set(roles) <= known:
        raise ValueError("unknown signer role")
    return {str(role) for role in roles}

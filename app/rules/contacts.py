"""Sign-in identifiers: an email address or a mainland China mobile number."""

from __future__ import annotations

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_SEPARATORS = re.compile(r"[\s\-()]")


def normalise_phone(raw: str) -> str:
    """Strip spaces, dashes and a +86 / 0086 country prefix from a mobile number."""
    digits = _SEPARATORS.sub("", raw.strip())
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
    return digits


def is_mainland_mobile(raw: str) -> bool:
    """11 digits starting with 13–19 (MIIT numbering plan for mobile networks)."""
    return bool(_MOBILE.match(normalise_phone(raw)))


def normalise_login(identifier: str) -> str:
    """The canonical form of what a person types in the sign-in box."""
    value = identifier.strip()
    if "@" in value:
        return value.lower()
    return normalise_phone(value)


def mask_phone(phone: str) -> str:
    """``138****5678``: enough for the owner to recognise, not for anyone to dial."""
    return phone[:3] + "****" + phone[-4:]


def mask_address(address: str) -> str:
    """``北京市朝阳区****``: the district, enough to place the person, not to find them."""
    return address[:6] + "****" if len(address) > 6 else "****"


def mask_email(email: str) -> str:
    name, _sep, domain = email.partition("@")
    return name[:1] + "***@" + domain

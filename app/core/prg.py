"""Post/redirect/get for forms: a refused POST is answered with a redirect to the form's
GET page, which shows the values typed and the errors once.

A page answered straight from a POST is what a phone reloads when the user comes back
from the SMS app (a 405 on a POST-only URL, or "Confirm Form Resubmission"), and what
Back lands on. So a view that refuses a form calls :func:`redirect_with` (the values and
the refusal go into the session for exactly one request) and its GET handler calls
:func:`take` to read them back. Secrets never enter the session cookie: fields named like
a password, a code or a token are dropped (:data:`SECRET_PARTS`, :data:`SECRET_FIELDS`),
and callers can drop more with ``drop``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, flash, g, redirect, request, session, url_for
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

_KEY = "concord_prg"
# The session cookie with a stash in it, in bytes: browsers keep cookies up to 4,096
# bytes with their name and attributes.
MAX_COOKIE_BYTES = 3800
# Field names never kept: passwords (and their confirmation), one-time codes, tokens;
# any name containing one of SECRET_PARTS, or equal to one of SECRET_FIELDS.
SECRET_PARTS = ("password", "code", "token", "secret", "csrf")
SECRET_FIELDS = frozenset({"confirm", "current", "new", "pin"})


@dataclass(frozen=True)
class Stash:
    """What a refused POST left for its GET page: the values typed (lists, as a form
    gives them), the refusal's words by field (``""``: the whole form), and small extra
    facts for the page (e.g. "ask for the code")."""

    values: dict[str, list[str]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    # The refusal's status (400, 409, 422 ...): the page that shows it answers with it, so
    # the refusal stays visible to clients and logs; a reload shows the page fresh (200).
    status: int = 200

    def value(self, name: str, default: str = "") -> str:
        got = self.values.get(name)
        return got[0] if got else default

    def all(self, name: str) -> list[str]:
        return list(self.values.get(name, []))

    @property
    def error(self) -> str | None:
        """The first error, for pages that show one message above the form."""
        return next(iter(self.errors.values()), None)

    def formdata(self) -> MultiDict[str, str]:
        """The values as form data, to fill a WTForms form again."""
        return MultiDict([(k, v) for k, vs in self.values.items() for v in vs])

    def __bool__(self) -> bool:
        return bool(self.values or self.errors or self.extra)


def is_secret(name: str) -> bool:
    lowered = name.lower()
    return lowered in SECRET_FIELDS or any(part in lowered for part in SECRET_PARTS)


def kept_values(
    form: MultiDict[str, str] | None = None, drop: Iterable[str] = (), keep: Iterable[str] = ()
) -> dict:
    """The form's values minus the secrets (and ``drop``), as lists. ``keep`` names fields
    that only look secret (a creditor's unified social credit code)."""
    form = request.form if form is None else form
    dropped, kept = set(drop), set(keep)
    return {
        name: [v[:2000] for v in form.getlist(name)]
        for name in form
        if name not in dropped and (name in kept or not is_secret(name))
    }


def redirect_with(
    target: str,
    errors: Mapping[str, str] | str | None = None,
    *,
    form: MultiDict[str, str] | None = None,
    drop: Iterable[str] = (),
    keep: Iterable[str] = (),
    extra: Mapping[str, Any] | None = None,
    status: int = 200,
) -> Response:
    """A 303 to ``target`` (a path on this site) carrying the typed values and the errors
    for one request. ``errors`` is a message (for the whole form) or messages by field;
    ``status`` is what the page showing them answers with."""
    if isinstance(errors, str):
        errors = {"": errors}
    session[_KEY] = _within_budget(
        {
            "path": target.split("?", 1)[0].split("#", 1)[0],
            "values": kept_values(form, drop, keep),
            "errors": {k: str(v) for k, v in (errors or {}).items()},
            "extra": dict(extra or {}),
            "status": int(status),
        }
    )
    return redirect(target, code=303)


def _within_budget(stash: dict[str, Any]) -> dict[str, Any]:
    """The stash travels in the session cookie, which browsers refuse above 4 KB (and
    then keep the old cookie: the stash is lost, the session is not). Long texts are cut
    until the whole cookie, as the session will write it (signed, compressed), fits
    :data:`MAX_COOKIE_BYTES`; the refusal's words are never cut."""
    for limit in (None, 2000, 1000, 500, 250, 100, 0):
        fitted = stash
        if limit is not None:
            fitted = {
                **stash,
                "values": _cut(stash["values"], limit),
                "extra": _cut(stash["extra"], limit),
            }
        if _cookie_size(fitted) <= MAX_COOKIE_BYTES:
            return fitted
    return {**stash, "values": {}, "extra": {}}


def _cookie_size(stash: dict[str, Any]) -> int:
    serializer = current_app.session_interface.get_signing_serializer(current_app)  # type: ignore[attr-defined]
    if serializer is None:  # no secret key: nothing is kept anyway
        return 0
    return len(serializer.dumps({**dict(session), _KEY: stash}))


def _cut(value: Any, limit: int) -> Any:
    if isinstance(value, str):
        return value[:limit]
    if isinstance(value, dict):
        return {k: _cut(v, limit) for k, v in value.items()}
    if isinstance(value, list):
        return [_cut(v, limit) for v in value]
    return value


def take() -> Stash:
    """What the last refused POST left for this page; taken once (a reload shows the page
    fresh). A stash meant for another page is dropped."""
    raw = session.pop(_KEY, None)
    if not isinstance(raw, dict) or raw.get("path") != request.path:
        return Stash()
    if int(raw.get("status") or 200) != 200:
        g.prg_status = int(raw["status"])  # the page answers with it (:func:`keep_status`)
    notice = (raw.get("extra") or {}).get("notice")
    if isinstance(notice, dict) and notice.get("message"):  # a refused action's words
        g.prg_notice = notice  # shown by the layout above the page
    return Stash(
        values=dict(raw.get("values") or {}),
        errors=dict(raw.get("errors") or {}),
        extra=dict(raw.get("extra") or {}),
        status=int(raw.get("status") or 200),
    )


def redirect_with_page_state(target: str, status: int = 200, **state: Any) -> Response:
    """A 303 to a page composed of sections (the case page), carrying each section's
    refused form as JSON-able ``state``; the page's GET handler puts it back on ``g``
    with :func:`restore_page_state`, where the sections read it."""
    return redirect_with(target, form=MultiDict(), extra={"g": state}, status=status)


def restore_page_state(stash: Stash) -> None:
    """Put the sections' refused forms left by :func:`redirect_with_page_state` on ``g``."""
    for name, value in (stash.extra.get("g") or {}).items():
        setattr(g, name, value)


# --- WTForms forms ------------------------------------------------------------------------


def form_errors(form: Any, err: Any = None) -> dict[str, str]:
    """A WTForms form's errors by the field's name as posted (its prefix included), plus a
    refusal ``err`` (a :class:`~app.rules.errors.DomainError`): at its field when the form
    has it, else for the whole form (``""``)."""
    errors = {f.name: " ".join(str(e) for e in f.errors) for f in form if f.errors}
    if err is not None:
        field_name = getattr(err, "field", None)
        if field_name and field_name in form:
            errors[form[field_name].name] = err.message
        else:
            errors[""] = err.message
    return errors


def redirect_with_form(
    target: str,
    form: Any,
    err: Any = None,
    *,
    key: str = "form",
    drop: Iterable[str] = (),
    keep: Iterable[str] = (),
    status: int = 400,
) -> Response:
    """A refused WTForms form back to its page: the values typed (no secrets, no files),
    the errors at their fields; ``key`` names which form of the page it was."""
    status = getattr(err, "status", status) if err is not None else status
    return redirect_with(
        target, form_errors(form, err), drop=drop, keep=keep, extra={"form": key}, status=status
    )


def refill(form_class: Any, stash: Stash, key: str = "form", **kwargs: Any) -> Any:
    """The form ``key`` of a page filled again from the stash with its errors at the
    fields; ``None`` when the stash is not about it. The whole form's refusal is flashed
    above the page."""
    if stash.extra.get("form") != key:
        return None
    form = form_class(formdata=stash.formdata(), **kwargs)
    show_errors(form, stash)
    return form


def show_errors(form: Any, stash: Stash) -> None:
    """Put the stash's errors back on ``form``'s fields; the rest (the whole form's, or a
    field the form has not) above the page, as a flashed error."""
    by_name = {f.name: f for f in form}
    for name, message in stash.errors.items():
        if name in by_name:
            by_name[name].errors = [message]
        elif message:
            flash(message, "error")


# --- A refusal no view kept a page for --------------------------------------------------------


def leftover() -> Stash:
    """The stash no view of this page took (the refusal of a POST-only action): shown by
    the layout above the page, the page answering with the refusal's status."""
    return take()


def keep_status(response: Response) -> Response:
    """The page showing a refusal answers with its status (see :data:`Stash.status`)."""
    status = g.pop("prg_status", None)
    if status and response.status_code == 200:
        response.status_code = status
    return response


def refusal_target() -> str | None:
    """Where a refused POST goes back to: its own URL when that is a page (the form's),
    else the page its blueprint names (``g.prg_back``), else the page the form was on (the
    ``Referer``, this site's only), else the case's
    page for an action on a case; ``None`` when there is no page to go back to."""
    rule = request.url_rule
    if rule is not None and "GET" in (rule.methods or ()):
        return request.full_path.rstrip("?")
    if g.get("prg_back"):  # the blueprint's own page (e.g. the administrator's)
        return str(g.prg_back)
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path and referrer.path != request.path:
        # One leading slash only: "//other.example/x" would leave the site.
        path = "/" + referrer.path.lstrip("/")
        return path + (f"?{referrer.query}" if referrer.query else "")
    case_id = (request.view_args or {}).get("case_id")
    if case_id is not None:
        return url_for("cases.show", case_id=case_id)
    return None


def refused_action(message: str, status: int, code: str | None = None) -> Response | None:
    """A refusal no view turned into its form again: a 303 to the page the user came
    from, which shows the message (and answers with ``status``); ``None`` when there is
    no such page."""
    target = refusal_target()
    if target is None:
        return None
    return refused_to(target, message, status, code=code)


def refused_to(
    target: str,
    message: str,
    status: int,
    *,
    code: str | None = None,
    notice_id: str | None = None,
) -> Response:
    """A refused action without values to keep (a button): a 303 to ``target``, which
    shows ``message`` above the page once (the layout reads it from ``g.prg_notice``,
    put there by :func:`take`) and answers with ``status``. ``code`` is the refusal's
    stable code (``data-code``), ``notice_id`` the notice's element id."""
    notice = {"message": str(message), "code": code or "", "id": notice_id or ""}
    return redirect_with(target, form=MultiDict(), extra={"notice": notice}, status=status)

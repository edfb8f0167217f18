"""Acting through the real HTTP stack: forms carry their CSRF token like a browser's."""

from __future__ import annotations

import io
import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "page has no CSRF token"
    return match.group(1) or match.group(2)


class Browser:
    """A test client that fetches a page, then submits its form with the page's token."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client

    def get(self, url: str, **kw: Any) -> TestResponse:
        kw.setdefault("buffered", True)  # read and close file responses at once
        return self.client.get(url, **kw)

    def token(self, page: str = "/login") -> str:
        return csrf_from(self.client.get(page, follow_redirects=True).get_data(as_text=True))

    def submit(
        self,
        url: str,
        data: dict[str, Any] | None = None,
        *,
        page: str | None = None,
        follow_refusal: bool = True,
        **kw: Any,
    ) -> TestResponse:
        """Post the form. A refused form answers 303 back to its page (post/redirect/get,
        :mod:`app.core.prg`): that redirect is followed as a browser does, and the page
        it shows is returned, its ``refused_by_redirect`` set (``follow_refusal=False``
        returns the 303 itself)."""
        form = {"csrf_token": self.token(page or "/login"), **(data or {})}
        response = self.client.post(url, data=form, **kw)
        if follow_refusal and not kw.get("follow_redirects"):
            return self._follow_refusal(response)
        return response

    def login(self, identifier: str, password: str, **kw: Any) -> TestResponse:
        return self.submit(
            "/login" + kw.pop("query", ""),
            {"identifier": identifier, "password": password},
            **kw,
        )

    def logout(self) -> TestResponse:
        return self.submit("/logout", page="/account/")

    def upload(self, url: str, fields: dict[str, Any], *, page: str) -> TestResponse:
        """A multipart form, encoded in memory (the test client would spool a large body to a
        temporary file it never closes). File fields are ``(bytes, filename)``."""
        from werkzeug.datastructures import FileStorage
        from werkzeug.test import encode_multipart

        values: dict[str, Any] = {"csrf_token": self.token(page)}
        for name, value in fields.items():
            if isinstance(value, tuple):
                content, filename = value
                value = FileStorage(io.BytesIO(content), filename)
            values[name] = value
        boundary, body = encode_multipart(values)
        response = self.client.post(
            url, data=body, content_type=f"multipart/form-data; boundary={boundary}"
        )
        return self._follow_refusal(response)

    def _follow_refusal(self, response: TestResponse) -> TestResponse:
        """A refused form's 303 back to its page (the one that left a stash for it),
        followed as a browser does; any other answer as it came."""
        if response.status_code != 303 or not self.left_stash():
            return response
        page_response = self.get(response.headers["Location"])
        page_response.refused_by_redirect = True  # type: ignore[attr-defined]
        return page_response

    def left_stash(self) -> bool:
        """The last answer left the refused form's values and errors for its page."""
        from app.core.prg import _KEY

        with self.client.session_transaction() as session:
            return _KEY in session


def refused(response: TestResponse) -> bool:
    """The form was refused: its post answered with a redirect back to the form's page
    (post/redirect/get), which shows the values and the refusal (followed by
    :meth:`Browser.submit`)."""
    return bool(getattr(response, "refused_by_redirect", False))

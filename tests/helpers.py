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
        self, url: str, data: dict[str, Any] | None = None, *, page: str | None = None, **kw: Any
    ) -> TestResponse:
        form = {"csrf_token": self.token(page or "/login"), **(data or {})}
        return self.client.post(url, data=form, **kw)

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
        return self.client.post(
            url, data=body, content_type=f"multipart/form-data; boundary={boundary}"
        )

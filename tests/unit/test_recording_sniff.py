"""Recordings are recognised by their first bytes (app.core.storage.sniff_recording),
never by their name or declared type."""

from __future__ import annotations

import pytest

from app.core.storage import sniff_recording


@pytest.mark.parametrize(
    ("head", "media_type"),
    [
        (b"ID3\x04\x00\x00\x00\x00\x00\x00", "audio/mpeg"),
        (b"\xff\xfb\x90\x00", "audio/mpeg"),
        (b"RIFF\x24\x08\x00\x00WAVEfmt ", "audio/wav"),
        (b"OggS\x00\x02", "audio/ogg"),
        (b"fLaC\x00\x00", "audio/flac"),
        (b"#!AMR\n", "audio/amr"),
        (b"\x1a\x45\xdf\xa3\x01\x00", "video/webm"),
        (b"\x00\x00\x00\x18ftypmp42", "video/mp4"),
        (b"\x00\x00\x00\x20ftypM4A ", "audio/mp4"),
        (b"\x00\x00\x00\x14ftyp3gp4", "video/3gpp"),
        (b"\x00\x00\x00\x14ftypqt  ", "video/quicktime"),
        # not recordings: a PDF, a JPEG (FF D8 is no MPEG frame sync), a PNG, an AVI, text
        (b"%PDF-1.4", None),
        (b"\xff\xd8\xff\xe0", None),
        (b"\x89PNG\r\n\x1a\n", None),
        (b"RIFF\x24\x08\x00\x00AVI LIST", None),
        (b"hello, this is not audio", None),
        (b"", None),
    ],
)
def test_sniff_recording(head: bytes, media_type: str | None) -> None:
    assert sniff_recording(head) == media_type

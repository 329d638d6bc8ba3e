# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Checks on uploaded documents: size, declared type and the type the bytes really have."""

import os

__all__ = ["ALLOWED_DEFAULT", "check_upload", "sniff_mimetype"]

_SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
_EXTENSIONS = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
ALLOWED_DEFAULT = ("application/pdf", "image/png", "image/jpeg")


def sniff_mimetype(data):
    head = bytes(data[:16])
    for magic, mimetype in _SIGNATURES:
        if head.startswith(magic):
            return mimetype
    return None


def check_upload(filename, data, allowed=ALLOWED_DEFAULT, max_bytes=5 * 1024 * 1024):
    """Return the real mimetype of an upload or raise ``ValueError`` explaining what is wrong.

    The file must be non-empty, at most ``max_bytes``, have an allowed extension and its content
    must be of the type the extension claims (a renamed ``.exe`` is refused).
    """
    name = os.path.basename(filename or "").strip()
    if not name:
        raise ValueError("The uploaded file has no name.")
    if not data:
        raise ValueError(f"{name}: the file is empty.")
    if len(data) > max_bytes:
        raise ValueError(
            f"{name}: the file is {len(data) / 1048576:.1f} MB; the limit is "
            f"{max_bytes / 1048576:.1f} MB."
        )
    ext = os.path.splitext(name)[1].lower()
    declared = _EXTENSIONS.get(ext)
    allowed_names = ", ".join(sorted({e for e, m in _EXTENSIONS.items() if m in allowed}))
    if declared not in allowed:
        raise ValueError(f"{name}: only {allowed_names} files are accepted.")
    real = sniff_mimetype(data)
    if real != declared:
        raise ValueError(f"{name}: the content is not a {ext[1:].upper()} file.")
    return real

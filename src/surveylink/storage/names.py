"""File names, storage keys and the `/storage/…` URLs stored in answers, as upstream writes
them (apps/web/modules/storage). Pure.

An answer to a file question is a list of relative URLs
`/storage/{environmentId}/private/{name}--fid--{uuid}.{ext}` (the name URL-encoded); the file
lives under the key `{environmentId}/private/{name}--fid--{uuid}.{ext}`.
"""

import re
import unicodedata
import uuid
from typing import Any
from urllib.parse import quote, unquote

# Upstream's ZAllowedFileExtension and its mimeTypes: nothing else is stored or served.
MIME_TYPES = {
    "heic": "image/heic", "png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg",
    "webp": "image/webp", "ico": "image/x-icon", "pdf": "application/pdf",
    "eml": "message/rfc822", "doc": "application/msword",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xls": "application/vnd.ms-excel",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt": "application/vnd.ms-powerpoint",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "txt": "text/plain", "csv": "text/csv", "mp4": "video/mp4", "mov": "video/quicktime",
    "avi": "video/x-msvideo", "mkv": "video/x-matroska", "webm": "video/webm",
    "mp3": "audio/mpeg", "zip": "application/zip", "rar": "application/vnd.rar",
    "7z": "application/x-7z-compressed", "tar": "application/x-tar",
}  # fmt: skip
ACCESS_TYPES = ("public", "private")
FID = "--fid--"
_MAX_BASE = 200
_MAX_EXT = 20
_UNSAFE = re.compile(r"[#<>:\"|?*`']")
_PATH = re.compile(r"^/storage/([^/]+)/(public|private)/([^/?#]+)$")
# Upstream's STORAGE_URL_PATTERN `^\/storage\/[^/]+\/(public|private)\/.+`, JavaScript's `.`
# included: free text such as "/storage/help" is not a storage URL.
_STORAGE_URL = re.compile(r"/storage/[^/]+/(?:public|private)/[^\n\r\u2028\u2029]")


def extension(file_name: str) -> str:
    """The lower-cased last extension, "" when the name has none."""
    base, dot, ext = file_name.rpartition(".")
    return ext.lower() if dot and base else ""


def sanitize(raw: str) -> str:
    """Upstream's sanitizeFileName: no separators, reserved or control characters, one
    extension, bounded lengths; "" when nothing usable is left."""
    name = unicodedata.normalize("NFC", raw)
    name = re.sub(r"[\\/]", "-", name)
    name = _UNSAFE.sub("", name)
    name = "".join(char for char in name if unicodedata.category(char) != "Cc")
    name = re.sub(r"\s+", " ", name).strip()
    parts = name.split(".")
    ext = parts.pop() if len(parts) > 1 else ""
    base = ".".join(parts).strip()
    if not base or re.fullmatch(r"-+|\.+", base):
        return ""
    base = base[:_MAX_BASE]
    safe_ext = re.sub(r"[^A-Za-z0-9]", "", ext[:_MAX_EXT])
    result = f"{base}.{safe_ext}" if safe_ext else base
    return "" if re.fullmatch(r"\.*|-+", result) else result


def stored_name(safe_name: str) -> str:
    """`{name}--fid--{uuid}.{ext}`: unique, and the original name stays readable."""
    base, _, ext = safe_name.rpartition(".")
    return f"{base}{FID}{uuid.uuid4()}.{ext}"


def key_of(environment_id: str, access_type: str, file_name: str) -> str:
    return f"{environment_id}/{access_type}/{file_name}"


def url_of(environment_id: str, access_type: str, file_name: str) -> str:
    return f"/storage/{environment_id}/{access_type}/{quote(file_name, safe='')}"


def key_from_url(url: str) -> str | None:
    """The storage key of one of our `/storage/…` URLs, else None."""
    match = _PATH.match(url)
    if match is None:
        return None
    return key_of(match.group(1), match.group(2), unquote(match.group(3)))


def original_name(url: str) -> str:
    """Upstream's getOriginalFileNameFromUrl: `report--fid--….pdf` → `report.pdf`."""
    last = unquote(url.split("?")[0].split("#")[0].rsplit("/", 1)[-1])
    base, fid, rest = last.partition(FID)
    if not fid:
        return base
    ext = extension(rest)
    return f"{base}.{ext}" if ext else base


def absolute_urls(data: dict[str, Any], base_url: str) -> dict[str, Any]:
    """Upstream's resolveStorageUrlsInObject on a response's `data`: a copy in which every
    string value that is a relative storage URL, at any depth of objects and arrays, starts
    with `base_url`; keys and every other value are kept. `data` itself is left as it is."""
    return {key: _absolute(value, base_url) for key, value in data.items()}


def _absolute(value: object, base_url: str) -> object:
    if isinstance(value, str):
        return base_url + value if _STORAGE_URL.match(value) else value
    if isinstance(value, dict):
        return {key: _absolute(item, base_url) for key, item in value.items()}
    if isinstance(value, list):
        return [_absolute(item, base_url) for item in value]
    return value

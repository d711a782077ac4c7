"""File questions on the page: files posted with the step's form (multipart, with or without
JavaScript), checked against the element's limits and stored by the storage backend; the answer
is upstream's list of `/storage/{environmentId}/private/…` URLs.

A file already given is shown as a checked box whose value is its URL and an HMAC bound to this
contact, survey and question, so a posted form can keep only files this page handed out.
"""

import hashlib
import hmac
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.types import Message, Receive

from surveylink.core.limits import MAX_BODY_BYTES
from surveylink.respondent.answers import Form
from surveylink.storage import names
from surveylink.storage.backends import Storage

MIB = 1024 * 1024
FILE_LIMIT = 25  # upstream's FILE_LIMIT per question
FORM_BYTES = MAX_BODY_BYTES  # a form without files: the bound of every body
UPLOAD_SUFFIX = ".upload"  # `<elementId>.upload` is the file input, `<elementId>` the kept files
_SIZE = "File should be less than {maxSizeInMB} MB"
_ONE = "Only one file can be uploaded at a time."
_MAX = "You can only upload a maximum of {limit} files."
_TYPE = "No valid file types selected. Please select a valid file type."
_FAILED = "Upload failed! Please try again."


class _TooLarge(Exception):
    pass


def _limited(receive: Receive, limit: int) -> Receive:
    seen = 0

    async def read() -> Message:
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > limit:
            raise _TooLarge
        return message

    return read


@dataclass
class Received:
    """A posted step: its text fields, its files, and whether the body was over the limit."""

    form: Form = field(default_factory=dict)
    files: dict[str, list[UploadFile]] = field(default_factory=dict)
    too_large: bool = False


def max_file_mb(element: Mapping[str, Any], cap_mb: float) -> float:
    wanted = element.get("maxSizeInMB")
    if isinstance(wanted, int | float) and not isinstance(wanted, bool) and wanted > 0:
        return min(float(wanted), cap_mb)
    return cap_mb


@asynccontextmanager
async def received_form(request: Request, cap_mb: float) -> AsyncIterator[Received]:
    """The posted form, files spooled to disk past 1 MiB each; the body is read only up to
    FILE_LIMIT files of the cap (1 MiB without files). Files are closed afterwards."""
    multipart = request.headers.get("content-type", "").startswith("multipart/form-data")
    limit = int(cap_mb * MIB) * FILE_LIMIT + FORM_BYTES if multipart else FORM_BYTES
    declared = request.headers.get("content-length", "")
    received = Received()
    if declared.isdigit() and int(declared) > limit:
        received.too_large = True
        yield received
        return
    bounded = Request(request.scope, _limited(request.receive, limit))
    try:
        submitted = await bounded.form(
            max_files=FILE_LIMIT * 4, max_fields=2000, max_part_size=FORM_BYTES
        )
    except (_TooLarge, HTTPException):
        received.too_large = True
        yield received
        return
    try:
        for key, value in submitted.multi_items():
            if isinstance(value, str):
                received.form.setdefault(key, []).append(value)
            elif value.filename:
                received.files.setdefault(key, []).append(value)
        yield received
    finally:
        await submitted.close()


@dataclass
class Uploads:
    """What a step's file questions need: the files posted, where to keep them, and the key
    that signs the files already given."""

    received: Received
    storage: Storage
    cap_mb: float
    secret: bytes

    async def accept(
        self,
        environment_id: str,
        owner: str,
        elements: list[dict[str, Any]],
        form: Form,
        *,
        store: bool,
    ) -> dict[str, str]:
        """Turns each file question's inputs into its answer in `form` (kept and new URLs);
        the messages to show beside questions whose files were refused."""
        errors: dict[str, str] = {}
        for element in elements:
            if element.get("type") != "fileUpload":
                continue
            name = str(element["id"])
            kept = [
                url
                for value in form.get(name) or []
                if (url := verify(self.secret, owner, name, value)) is not None
            ]
            posted = self.received.files.get(name + UPLOAD_SUFFIX, [])
            problem = self._problem(element, kept, posted)
            if problem is None and posted:
                try:
                    new = [await self._store(environment_id, file, store=store) for file in posted]
                except (OSError, ValueError):
                    problem, new = _FAILED, []
                multiple = bool(element.get("allowMultipleFiles"))
                kept = [*kept, *new] if multiple else new[:1]
            elif not element.get("allowMultipleFiles"):
                kept = kept[:1]
            form[name] = kept
            if problem is not None:
                errors[name] = problem
        return errors

    def _problem(
        self, element: Mapping[str, Any], kept: list[str], posted: list[UploadFile]
    ) -> str | None:
        """Upstream's client-side checks (file-upload-element.tsx), enforced here."""
        limit_mb = max_file_mb(element, self.cap_mb)
        if self.received.too_large:
            return _SIZE.format(maxSizeInMB=f"{limit_mb:g}")
        if not posted:
            return None
        if not element.get("allowMultipleFiles") and len(posted) > 1:
            return _ONE
        if element.get("allowMultipleFiles") and len(kept) + len(posted) > FILE_LIMIT:
            return _MAX.format(limit=FILE_LIMIT)
        allowed = [ext.lower() for ext in element.get("allowedFileExtensions") or []]
        for file in posted:
            extension = names.extension(names.sanitize(file.filename or ""))
            if extension not in names.MIME_TYPES or (allowed and extension not in allowed):
                return _TYPE
            if (file.size or 0) > limit_mb * MIB:
                return _SIZE.format(maxSizeInMB=f"{limit_mb:g}")
        return None

    async def _store(self, environment_id: str, file: UploadFile, *, store: bool) -> str:
        safe = names.sanitize(file.filename or "")
        if not safe:
            raise ValueError("no usable file name")
        stored = names.stored_name(safe)
        if store:
            key = names.key_of(environment_id, "private", stored)
            content_type = names.MIME_TYPES[names.extension(safe)]
            await self.storage.save(key, file.file, content_type)
        return names.url_of(environment_id, "private", stored)

    def dress(
        self,
        views: list[dict[str, Any]],
        elements: list[dict[str, Any]],
        form: Form,
        owner: str,
    ) -> None:
        """Completes each file question's view: its limits, and the files given so far."""
        by_id = {element.get("id"): element for element in elements}
        for view in views:
            element = by_id.get(view.get("id"))
            if view.get("type") == "fileUpload" and element is not None:
                view.update(element_view(element, self.cap_mb))
                view["files"] = given_files(self.secret, owner, view["id"], form)


def owner_of(survey_id: str, contact_id: str) -> str:
    return f"{survey_id}:{contact_id}"


def signing_key(link_hmac: bytes) -> bytes:
    """A key of its own for file references, derived from the link-signing secret."""
    return hmac.new(link_hmac, b"surveylink respondent file references", hashlib.sha256).digest()


def _signature(secret: bytes, owner: str, element_id: str, url: str) -> str:
    message = f"{owner}\n{element_id}\n{url}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()[:32]


def sign(secret: bytes, owner: str, element_id: str, url: str) -> str:
    return f"{url} {_signature(secret, owner, element_id, url)}"


def verify(secret: bytes, owner: str, element_id: str, value: str) -> str | None:
    url, _, signature = value.partition(" ")
    expected = _signature(secret, owner, element_id, url)
    return url if hmac.compare_digest(signature, expected) else None


def element_view(element: Mapping[str, Any], cap_mb: float) -> dict[str, Any]:
    """What the template shows of a file question beyond its headline."""
    allowed = [str(ext).lower() for ext in element.get("allowedFileExtensions") or []]
    return {
        "multiple": bool(element.get("allowMultipleFiles")),
        "accept": ",".join(f".{ext}" for ext in allowed),
        "extensions": ", ".join(allowed),
        "max_mb": f"{max_file_mb(element, cap_mb):g}",
        "input_name": f"{element['id']}{UPLOAD_SUFFIX}",
        "files": [],
    }


def given_files(secret: bytes, owner: str, element_id: str, form: Form) -> list[dict[str, str]]:
    """The files a question holds, each signed for this contact, with its original name."""
    return [
        {"value": sign(secret, owner, element_id, url), "name": names.original_name(url)}
        for url in form.get(element_id) or []
        if names.key_from_url(url) is not None
    ]

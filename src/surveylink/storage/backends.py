"""Where uploaded files live: a local folder (default) or an S3-compatible bucket configured
with upstream's settings (S3_BUCKET_NAME and friends). Files are copied in chunks from the
spooled upload and served back in chunks: never whole in memory."""

import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO, Protocol

from anyio import to_thread

from surveylink.core.config import ConfigError, Settings

CHUNK = 64 * 1024


@dataclass(frozen=True)
class StoredFile:
    chunks: AsyncIterator[bytes]
    size: int


class Storage(Protocol):
    async def save(self, key: str, source: BinaryIO, content_type: str) -> None: ...

    async def open(self, key: str) -> StoredFile | None: ...


def _safe_parts(key: str) -> list[str]:
    parts = key.split("/")
    if any(part in ("", ".", "..") or "\\" in part or "\0" in part for part in parts):
        raise ValueError("invalid storage key")
    return parts


async def _chunks(read: Callable[[int], bytes], close: Callable[[], Any]) -> AsyncIterator[bytes]:
    try:
        while chunk := await to_thread.run_sync(read, CHUNK):
            yield chunk
    finally:
        await to_thread.run_sync(close)


class LocalStorage:
    """Files under one folder, at their key's path (`{environmentId}/private/{name}`)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root.joinpath(*_safe_parts(key))

    async def save(self, key: str, source: BinaryIO, content_type: str) -> None:
        await to_thread.run_sync(self._write, self._path(key), source)

    @staticmethod
    def _write(target: Path, source: BinaryIO) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        source.seek(0)
        handle, draft = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(handle, "wb") as out:
                shutil.copyfileobj(source, out, CHUNK)
            os.replace(draft, target)  # a reader sees the whole file or none
        except BaseException:
            Path(draft).unlink(missing_ok=True)
            raise

    async def open(self, key: str) -> StoredFile | None:
        try:
            path = self._path(key)
            stream = await to_thread.run_sync(path.open, "rb")
        except (ValueError, OSError):
            return None
        size = os.fstat(stream.fileno()).st_size
        return StoredFile(_chunks(stream.read, stream.close), size)


class S3Storage:
    """A bucket on S3 or any S3-compatible server, through boto3."""

    def __init__(self, settings: Settings) -> None:
        try:
            import boto3
            from botocore.config import Config
        except ImportError:  # pragma: no cover - depends on the installation
            raise ConfigError("S3_BUCKET_NAME is set: install surveylink[s3] (boto3)") from None
        style = "path" if settings.s3_force_path_style else "auto"
        self.bucket = settings.s3_bucket_name
        self.client = boto3.client(
            "s3",
            aws_access_key_id=settings.s3_access_key or None,
            aws_secret_access_key=settings.s3_secret_key.get_secret_value() or None,
            region_name=settings.s3_region or None,
            endpoint_url=settings.s3_endpoint_url or None,
            config=Config(signature_version="s3v4", s3={"addressing_style": style}),
        )

    async def save(self, key: str, source: BinaryIO, content_type: str) -> None:
        _safe_parts(key)
        source.seek(0)
        extra = {"ContentType": content_type}
        await to_thread.run_sync(
            lambda: self.client.upload_fileobj(source, self.bucket, key, ExtraArgs=extra)
        )

    async def open(self, key: str) -> StoredFile | None:
        from botocore.exceptions import ClientError

        try:
            _safe_parts(key)
            found = await to_thread.run_sync(
                lambda: self.client.get_object(Bucket=self.bucket, Key=key)
            )
        except ValueError:
            return None
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        body = found["Body"]
        return StoredFile(_chunks(body.read, body.close), int(found["ContentLength"]))


def make_storage(settings: Settings) -> Storage:
    """S3 when S3_BUCKET_NAME is set (upstream's IS_STORAGE_CONFIGURED), else a local folder."""
    if settings.s3_bucket_name:
        return S3Storage(settings)
    return LocalStorage(settings.uploads_path)

"""Serving uploaded files back: upstream's GET /storage/{environmentId}/{accessType}/{fileName}
checks, in upstream's order (apps/web/app/storage/[environmentId]/[accessType]/[fileName])."""

from dataclasses import dataclass

from surveylink.auth.permissions import AuthKey
from surveylink.core.errors import (
    ErrorDetail,
    Invalid,
    NotFound,
    Resource,
    Unauthenticated,
    Unauthorized,
)
from surveylink.core.ids import is_cuid2
from surveylink.storage import names
from surveylink.storage.backends import Storage, StoredFile


@dataclass(frozen=True)
class Download:
    file: StoredFile
    content_type: str
    private: bool


def _check_params(environment_id: str, access_type: str, file_name: str) -> None:
    """Upstream's ZDownloadFileRequest, every failing field reported."""
    issues: list[ErrorDetail] = []
    name = file_name.strip()
    if not name:
        issues.append(
            ErrorDetail(field="fileName", issue="Too small: expected string to have >=1 characters")
        )
    elif not names.extension(name) or names.extension(name) == name.lower():
        issues.append(ErrorDetail(field="fileName", issue="File name must have an extension"))
    if not is_cuid2(environment_id):
        issues.append(ErrorDetail(field="environmentId", issue="Invalid cuid2"))
    if access_type not in names.ACCESS_TYPES:
        issue = 'Invalid option: expected one of "public"|"private"'
        issues.append(ErrorDetail(field="accessType", issue=issue))
    if issues:
        raise Invalid(*issues)


async def download_file(
    storage: Storage, key: AuthKey | None, environment_id: str, access_type: str, file_name: str
) -> Download:
    """A stored file; private files only for API keys that may read the environment."""
    _check_params(environment_id, access_type, file_name)
    if access_type == "private":
        if key is None:
            raise Unauthenticated()
        if not key.allows(environment_id):
            raise Unauthorized()
    content_type = names.MIME_TYPES.get(names.extension(file_name))
    found = None
    if content_type is not None:
        found = await storage.open(names.key_of(environment_id, access_type, file_name))
    if found is None or content_type is None:
        raise NotFound(Resource.FILE, file_name)
    return Download(found, content_type, access_type == "private")

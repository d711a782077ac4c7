from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import StreamingResponse

from surveylink.auth.deps import OptionalReadKey
from surveylink.core.context import ContextDep
from surveylink.core.routing import ApiRoute
from surveylink.storage import service

router = APIRouter(tags=["Storage"], include_in_schema=False, route_class=ApiRoute)

# Files are served as data, never as a page of ours: no script, no plugin, no frame.
_FILE_CSP = "sandbox; default-src 'none'"


@router.get("/storage/{environmentId}/{accessType}/{fileName}")
async def download_file(
    environment_id: Annotated[str, Path(alias="environmentId", max_length=64)],
    access_type: Annotated[str, Path(alias="accessType", max_length=16)],
    file_name: Annotated[str, Path(alias="fileName", max_length=1024)],
    key: OptionalReadKey,
    context: ContextDep,
) -> StreamingResponse:
    """A file uploaded to a survey; private files need an x-api-key with read access to the
    environment."""
    found = await service.download_file(
        context.storage, key, environment_id, access_type, file_name
    )
    cache = (
        "no-store, no-cache, must-revalidate"
        if found.private
        else "public, max-age=31536000, immutable"
    )
    headers = {
        "Content-Length": str(found.file.size),
        "Cache-Control": cache,
        "Content-Security-Policy": _FILE_CSP,
    }
    return StreamingResponse(found.file.chunks, media_type=found.content_type, headers=headers)

"""A survey page that fails answers with a page, never with a trace or an API envelope."""

import asyncio
import time
from pathlib import Path

from httpx import ASGITransport, AsyncClient

from surveylink.app import create_app
from surveylink.core.config import Settings
from surveylink.core.context import app_context
from surveylink.links import tokens
from tests.conftest import ENCRYPTION_KEY


async def test_database_down_shows_an_unavailable_page_without_internals(
    settings: Settings, tmp_path: Path
) -> None:
    unreachable = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'nothing.db'}"
    app = create_app(settings.model_copy(update={"database_url": unreachable}))
    claims = tokens.LinkClaims(contact_id="somecontact", survey_id="somesurvey")
    token = tokens.sign(claims, tokens.LinkKeys.from_setting(ENCRYPTION_KEY), now=int(time.time()))

    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://testserver") as http:
        response = await http.get(f"/c/{token}")
    await app_context(app).close()
    # aiosqlite's worker thread of the connection that failed answers its last future after
    # this; let it, or it would answer into the next test's closed loop.
    await asyncio.sleep(0.2)

    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Temporarily unavailable</h1>" in response.text
    assert "Traceback" not in response.text
    assert "sqlite" not in response.text.lower()

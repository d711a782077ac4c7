"""S3 mode against a real S3-compatible server: moto's, on 127.0.0.1."""

import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import boto3
import pytest
from httpx import ASGITransport, AsyncClient
from moto.server import ThreadedMotoServer
from pydantic import SecretStr

from surveylink.app import create_app
from surveylink.auth import service as auth_service
from surveylink.core.config import Settings
from surveylink.core.context import app_context
from tests.factories import ApiEnv
from tests.respondent.helpers import question, stored_responses, survey_and_link

BUCKET = "surveylink-uploads"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 300


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def s3_settings(settings: Settings, s3_endpoint: str) -> Settings:
    values: dict[str, Any] = {
        "s3_access_key": "test",
        "s3_secret_key": SecretStr("test"),
        "s3_region": "us-east-1",
        "s3_bucket_name": BUCKET,
        "s3_endpoint_url": s3_endpoint,
        "s3_force_path_style": True,
    }
    configured = settings.model_copy(update=values)
    bucket = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        region_name="us-east-1",
    )
    if BUCKET not in {b["Name"] for b in bucket.list_buckets().get("Buckets", [])}:
        bucket.create_bucket(Bucket=BUCKET)
    return configured


@pytest.fixture
async def s3_client(s3_settings: Settings) -> AsyncIterator[AsyncClient]:
    app = create_app(s3_settings)
    async with AsyncClient(transport=ASGITransport(app=app), base_url="http://testserver") as http:
        yield http
    await auth_service.drain()
    await app_context(app).close()


async def test_file_goes_to_the_bucket_and_comes_back(
    s3_client: AsyncClient, env: ApiEnv, s3_settings: Settings
) -> None:
    env.client = s3_client
    questions = [question("doc", "fileUpload", "A screenshot?", allowMultipleFiles=False)]
    survey, _, link = await survey_and_link(env, questions=questions)

    posted = await s3_client.post(
        link,
        data={"step": "0", "shown": "0"},
        files=[("doc.upload", ("screen shot.png", PNG, "image/png"))],
    )
    [response] = await stored_responses(s3_settings, survey["id"])
    [url] = response.data["doc"]
    served = await s3_client.get(url, headers=env.headers)

    assert posted.status_code == 200
    assert url.startswith(f"/storage/{env.environment_id}/private/screen%20shot--fid--")
    assert served.status_code == 200
    assert served.content == PNG
    assert served.headers["content-type"] == "image/png"
    assert not (s3_settings.data_dir / "uploads").exists()  # nothing went to the local folder

"""Settings from the environment (and an optional `.env`), named as upstream names them."""

import logging
import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from surveylink.core import proxies

logger = logging.getLogger("surveylink")

KEY_FILE = "encryption_key"


class ConfigError(RuntimeError):
    """The service cannot start with this configuration."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    environment: Literal["local", "production"] = Field("local", alias="SURVEYLINK_ENV")
    data_dir: Path = Field(Path("data"), alias="SURVEYLINK_DATA_DIR")
    database_url: str = Field("", alias="DATABASE_URL")
    encryption_key: SecretStr = Field(SecretStr(""), alias="ENCRYPTION_KEY")
    # Comma-separated keys that still open links and secrets made before a rotation.
    previous_encryption_keys: SecretStr = Field(SecretStr(""), alias="PREVIOUS_ENCRYPTION_KEYS")
    public_url: str = Field("", alias="PUBLIC_URL")
    port: int = Field(3000, alias="PORT")
    log_level: str = Field("info", alias="LOG_LEVEL")
    redis_url: str = Field("", alias="REDIS_URL")
    rate_limiting_disabled: bool = Field(False, alias="RATE_LIMITING_DISABLED")
    rate_limit_per_minute: int = Field(100, alias="SURVEYLINK_RATE_LIMIT_PER_MINUTE", ge=1)
    auth_cache_seconds: float = Field(1.0, alias="SURVEYLINK_AUTH_CACHE_SECONDS", ge=0)
    run_worker: bool = Field(True, alias="SURVEYLINK_RUN_WORKER")
    allow_internal_webhook_urls: bool = Field(
        False, alias="DANGEROUSLY_ALLOW_WEBHOOK_INTERNAL_URLS"
    )
    webhook_max_attempts: int = Field(10, alias="SURVEYLINK_WEBHOOK_MAX_ATTEMPTS", ge=1)
    webhook_retry_base_seconds: float = Field(
        5.0, alias="SURVEYLINK_WEBHOOK_RETRY_BASE_SECONDS", gt=0
    )
    webhook_timeout_seconds: float = Field(15.0, alias="SURVEYLINK_WEBHOOK_TIMEOUT_SECONDS", gt=0)
    webhook_concurrency: int = Field(32, alias="SURVEYLINK_WEBHOOK_CONCURRENCY", ge=1, le=1000)
    trusted_proxies: str = Field("", alias="SURVEYLINK_TRUSTED_PROXIES")
    # Retention, in days (0 keeps forever): delivered/failed webhook events and their attempts,
    # sent/failed/skipped mails, and short links after their expiry.
    webhook_retention_days: float = Field(
        30.0, alias="SURVEYLINK_WEBHOOK_RETENTION_DAYS", ge=0, le=36500
    )
    mail_retention_days: float = Field(30.0, alias="SURVEYLINK_MAIL_RETENTION_DAYS", ge=0, le=36500)
    short_link_retention_days: float = Field(
        90.0, alias="SURVEYLINK_SHORT_LINK_RETENTION_DAYS", ge=0, le=36500
    )
    # Uploaded files: a local folder by default, S3-compatible storage with upstream's settings.
    upload_dir: Path | None = Field(None, alias="SURVEYLINK_UPLOAD_DIR")
    max_upload_mb: float = Field(10.0, alias="SURVEYLINK_MAX_UPLOAD_MB", gt=0, le=5120)
    s3_access_key: str = Field("", alias="S3_ACCESS_KEY")
    s3_secret_key: SecretStr = Field(SecretStr(""), alias="S3_SECRET_KEY")
    s3_region: str = Field("", alias="S3_REGION")
    s3_bucket_name: str = Field("", alias="S3_BUCKET_NAME")
    s3_endpoint_url: str = Field("", alias="S3_ENDPOINT_URL")
    s3_force_path_style: bool = Field(False, alias="S3_FORCE_PATH_STYLE")

    @field_validator("trusted_proxies")
    @classmethod
    def _networks_parse(cls, value: str) -> str:
        proxies.parse_networks(value)
        return value

    @property
    def trusted_networks(self) -> tuple[proxies.Network, ...]:
        return proxies.parse_networks(self.trusted_proxies)

    @property
    def uploads_path(self) -> Path:
        return self.upload_dir or self.data_dir / "uploads"

    # Mail (invitations and reminders): upstream's names, then ours.
    mail_from: str = Field("", alias="MAIL_FROM")
    mail_from_name: str = Field("", alias="MAIL_FROM_NAME")
    smtp_host: str = Field("", alias="SMTP_HOST")
    smtp_port: int | None = Field(None, alias="SMTP_PORT", ge=1, le=65535)
    smtp_user: str = Field("", alias="SMTP_USER")
    smtp_password: SecretStr = Field(SecretStr(""), alias="SMTP_PASSWORD")
    smtp_secure_enabled: bool = Field(False, alias="SMTP_SECURE_ENABLED")
    smtp_authenticated: bool = Field(True, alias="SMTP_AUTHENTICATED")
    smtp_reject_unauthorized_tls: bool = Field(True, alias="SMTP_REJECT_UNAUTHORIZED_TLS")
    mail_max_attempts: int = Field(8, alias="SURVEYLINK_MAIL_MAX_ATTEMPTS", ge=1)
    mail_retry_base_seconds: float = Field(60.0, alias="SURVEYLINK_MAIL_RETRY_BASE_SECONDS", gt=0)
    mail_timeout_seconds: float = Field(30.0, alias="SURVEYLINK_MAIL_TIMEOUT_SECONDS", gt=0)
    mail_connections: int = Field(4, alias="SURVEYLINK_MAIL_CONNECTIONS", ge=1, le=64)

    @property
    def sqlalchemy_url(self) -> str:
        return self.database_url or f"sqlite+aiosqlite:///{self.data_dir / 'surveylink.db'}"

    @property
    def previous_keys(self) -> list[str]:
        raw = self.previous_encryption_keys.get_secret_value()
        return [key.strip() for key in raw.split(",") if key.strip()]

    @property
    def link_base(self) -> str:
        """Base of generated links. Unlike upstream, a trailing slash never yields `//c/`."""
        return (self.public_url.strip() or f"http://localhost:{self.port}").rstrip("/")

    def resolved(self) -> "Settings":
        """These settings with ENCRYPTION_KEY set, generating and keeping one in local mode."""
        if self.encryption_key.get_secret_value():
            return self
        if self.environment == "production":
            raise ConfigError("ENCRYPTION_KEY must be set when SURVEYLINK_ENV=production")
        return self.model_copy(update={"encryption_key": SecretStr(_local_key(self.data_dir))})


def _local_key(data_dir: Path) -> str:
    path = data_dir / KEY_FILE
    if not path.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        draft = data_dir / f".{KEY_FILE}.{os.getpid()}"
        draft.write_text(secrets.token_hex(32))
        draft.chmod(0o600)
        try:
            os.link(draft, path)  # atomic: of two starting processes, one key wins
            logger.warning("ENCRYPTION_KEY is not set: generated one and kept it in %s", path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()

import re
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
)

from surveylink.core.pagination import Limit, ListParams, Skip
from surveylink.core.schemas import ApiModel, IsoDateTime, Text255, UrlText
from surveylink.core.zod import Cuid2, fail
from surveylink.webhooks.models import DeliveryStatus

Trigger = Literal["responseCreated", "responseUpdated", "responseFinished"]
Source = Literal["user", "zapier", "make", "n8n"]
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:\S*")


_ZONE_ID = re.compile(r"[^/?#]*//[^/?#]*\[[^\]]*%")


def _absolute_url(value: str) -> str:
    """zod's `.url()`: anything `new URL()` parses, whatever the scheme (but not an IPv6 zone
    id, which `new URL()` refuses)."""
    text = value.strip()
    if not _ABSOLUTE.fullmatch(text) or re.match(r"https?:/*$", text, re.I):
        raise fail("Invalid URL")
    if _ZONE_ID.match(text):
        raise fail("Invalid URL")
    return value


def _some_triggers(value: list[str]) -> list[str]:
    if not value:
        raise fail("At least one trigger is required")
    return value


Url = Annotated[UrlText, AfterValidator(_absolute_url)]
Triggers = Annotated[list[Trigger], AfterValidator(_some_triggers)]


class WebhookUpdate(ApiModel):
    name: Text255 | None = Field(description="The name of the webhook")
    url: Url = Field(description="The URL of the webhook")
    source: Source = Field(description="The source of the webhook")
    triggers: Triggers = Field(description="The triggers of the webhook")
    survey_ids: list[Cuid2] = Field(
        description="The IDs of the surveys; an empty list means all surveys of the environment"
    )


class WebhookCreate(ApiModel):
    name: Text255 | None = Field(description="The name of the webhook")
    url: Url = Field(description="The URL of the webhook")
    source: Source = Field(description="The source of the webhook")
    environment_id: Cuid2 = Field(description="The ID of the environment")
    triggers: Triggers = Field(description="The triggers of the webhook")
    survey_ids: list[Cuid2] = Field(
        description="The IDs of the surveys; an empty list means all surveys of the environment"
    )


class V1WebhookCreate(WebhookCreate):
    """v1's `ZWebhookInput`: `name`, `source` and `surveyIds` may be left out."""

    name: str | None = Field(None, description="The name of the webhook")
    source: Source = Field("user", description="The source of the webhook")
    survey_ids: list[Cuid2] = Field(
        default_factory=list,
        description="The IDs of the surveys; an empty list means all surveys of the environment",
    )


def _never_a_list(value: Any) -> Any:
    # Query values are strings, and upstream's schema wants an array: any value fails.
    raise fail("Invalid input: expected array, received string")


class WebhookFilter(ListParams):
    survey_ids: Annotated[str | None, BeforeValidator(_never_a_list)] = Field(
        None, description="Upstream documents an array filter that its code always refuses"
    )


class WebhookOut(ApiModel):
    id: str
    name: str | None
    created_at: IsoDateTime
    updated_at: IsoDateTime
    url: str
    source: str
    environment_id: str
    triggers: list[str]
    survey_ids: list[str]
    secret: str | None


class DeliveryOut(ApiModel):
    """One attempt to deliver an event (our extension)."""

    id: str
    created_at: IsoDateTime
    webhook_id: str
    event_id: str = Field(description="The event's `webhook-id` header, stable across retries")
    event: str
    attempt: int
    status_code: int | None
    duration_ms: int
    error: str | None


class EventOut(ApiModel):
    """An outbox event and where its delivery stands (our extension)."""

    id: str
    created_at: IsoDateTime
    webhook_id: str
    event: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: IsoDateTime
    last_error: str | None


class DeliveryFilter(ApiModel):
    limit: Limit = Field(50, description="Number of items to return")
    skip: Skip = Field(0, description="Number of items to skip")


class WebhookContact(ApiModel):
    id: str
    user_id: str | None = None

    @model_serializer(mode="wrap")
    def _without_missing_user_id(self, handler: SerializerFunctionWrapHandler) -> Any:
        fields = handler(self)
        if fields.get("userId") is None:
            fields.pop("userId", None)  # upstream omits the key
        return fields


class WebhookSurvey(ApiModel):
    title: str
    type: str
    status: str
    created_at: IsoDateTime
    updated_at: IsoDateTime


class WebhookResponseData(ApiModel):
    """Upstream's webhook `data`: these keys in this order (resources spec §4.5)."""

    id: str
    created_at: IsoDateTime
    updated_at: IsoDateTime
    survey_id: str
    display_id: str | None
    contact: WebhookContact | None
    contact_attributes: dict[str, Any] | None
    finished: bool
    ending_id: str | None
    data: dict[str, Any]
    variables: dict[str, Any]
    ttc: dict[str, Any]
    tags: list[Any]
    meta: dict[str, Any]
    single_use_id: str | None
    language: str | None
    survey: WebhookSurvey


class WebhookPayload(ApiModel):
    """The body of one delivery, as upstream sends it."""

    webhook_id: str
    event: str
    data: WebhookResponseData

    def body(self) -> str:
        """Compact JSON, keys in order, non-ASCII kept: what JavaScript's JSON.stringify sends."""
        return self.model_dump_json(by_alias=True)

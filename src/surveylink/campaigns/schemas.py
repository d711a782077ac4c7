from collections.abc import Callable
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BeforeValidator, Field, ValidationError, model_validator
from pydantic_core import InitErrorDetails

from surveylink.core.pagination import Limit, Skip
from surveylink.core.schemas import ApiModel, IsoDateTime
from surveylink.core.zod import Cuid2, fail, number_check
from surveylink.mail import compose

MAX_SUBJECT = 500
MAX_BODY = 100_000
MAX_CONTACT_IDS = 1000


def _chars(minimum: int, maximum: int) -> Callable[[str], str]:
    def check(value: str) -> str:
        if len(value) < minimum:
            raise fail(f"Too small: expected string to have >={minimum} characters")
        if len(value) > maximum:
            raise fail(f"Too big: expected string to have <={maximum} characters")
        return value

    return check


def _template(value: str) -> str:
    try:
        compose.check(value)
    except compose.TemplateProblem as problem:
        raise fail(str(problem)) from None
    return value


PLACEHOLDER_HELP = (
    "Jinja2 template (sandboxed). Placeholders: `{{ link }}` (the contact's personal link, "
    "minted when the mail is sent), `{{ expiresAt }}` (ISO-8601, empty without expirationDays), "
    "`{{ attributes.<key> }}` (any contact attribute, e.g. `{{ attributes.firstName }}`; a "
    "missing one renders empty), `{{ contact.id }}`, `{{ survey.id }}`, `{{ survey.name }}`. "
    "Filters: default, lower, upper, title, capitalize, trim, truncate, striptags, urlencode, "
    "escape; tests: defined, undefined, none; `{% if %}`…`{% endif %}`. Loops, macros, "
    "assignments, includes and calls are refused (422)."
)
Subject = Annotated[str, AfterValidator(_chars(1, MAX_SUBJECT)), AfterValidator(_template)]
Body = Annotated[str, AfterValidator(_chars(1, MAX_BODY)), AfterValidator(_template)]


def _at_most_ids(value: list[str]) -> list[str]:
    if not value:
        raise fail("Too small: expected array to have >=1 items")
    if len(value) > MAX_CONTACT_IDS:
        raise fail(f"Too big: expected array to have <={MAX_CONTACT_IDS} items")
    return value


ContactIds = Annotated[list[Cuid2], AfterValidator(_at_most_ids)]
ExpirationDays = Annotated[float, BeforeValidator(number_check(1, 365, integer=False))]
GapHours = Annotated[float, BeforeValidator(number_check(0, 8760, integer=False))]
MaxReminders = Annotated[int, BeforeValidator(number_check(1, 20, integer=True))]


class MailTemplates(ApiModel):
    subject: Subject = Field(
        description=f"Subject line, 1 to {MAX_SUBJECT} characters; line breaks become spaces. "
        + PLACEHOLDER_HELP,
        json_schema_extra={"minLength": 1, "maxLength": MAX_SUBJECT},
    )
    html: Body | None = Field(
        None,
        description="HTML part. Every placeholder is HTML-escaped (autoescape). "
        "Give `html`, `text` or both (then the mail is multipart/alternative). " + PLACEHOLDER_HELP,
    )
    text: Body | None = Field(
        None,
        description="Plain-text part, not escaped. " + PLACEHOLDER_HELP,
        json_schema_extra={"minLength": 1, "maxLength": MAX_BODY},
    )
    expiration_days: ExpirationDays | None = Field(
        None,
        description="Days (1 to 365, fractions allowed) the link in each mail stays valid, counted "
        "from when that mail is sent. Without it the link does not expire.",
        json_schema_extra={"minimum": 1, "maximum": 365},
    )

    def _check_scope(
        self, segment_id: str | None, contact_ids: list[str] | None, required: bool
    ) -> None:
        """Checks that need two fields, reported on the field a caller should add or drop."""
        if self.html is None and self.text is None:
            raise _invalid("text", "Give html, text or both")
        if segment_id is not None and contact_ids is not None:
            raise _invalid("contactIds", "Give segmentId or contactIds, not both")
        if required and segment_id is None and contact_ids is None:
            raise _invalid("contactIds", "Give segmentId or contactIds")


def _invalid(field: str, message: str) -> ValidationError:
    detail = InitErrorDetails(type=fail(message), loc=(field,), input=None)
    return ValidationError.from_exception_data("body", [detail])


class InvitationCreate(MailTemplates):
    segment_id: Cuid2 | None = Field(
        None,
        description="Invite the members of this segment (of the survey's environment). Give "
        "`segmentId` or `contactIds`, not both.",
    )
    contact_ids: ContactIds | None = Field(
        None,
        description=f"Invite these contacts (1 to {MAX_CONTACT_IDS} ids); ids that are not "
        "contacts of the survey's environment are counted as skipped.",
        json_schema_extra={"minItems": 1, "maxItems": MAX_CONTACT_IDS},
    )
    resend: bool = Field(
        False,
        description="Also invite contacts who already have an invitation queued or sent. By "
        "default they are skipped, so repeating a request sends nothing twice.",
    )

    @model_validator(mode="after")
    def _one_scope(self) -> "InvitationCreate":
        self._check_scope(self.segment_id, self.contact_ids, required=True)
        return self


class ReminderCreate(MailTemplates):
    segment_id: Cuid2 | None = Field(None, description="Only remind members of this segment.")
    contact_ids: ContactIds | None = Field(
        None,
        description=f"Only remind these contacts (1 to {MAX_CONTACT_IDS} ids). Without "
        "`segmentId` or `contactIds`, every invited contact of the survey is considered.",
        json_schema_extra={"minItems": 1, "maxItems": MAX_CONTACT_IDS},
    )
    min_gap_hours: GapHours = Field(
        72,
        description="Hours (0 to 8760, fractions allowed) that must have passed since the last "
        "invitation or reminder sent to a contact before it is reminded again.",
        json_schema_extra={"minimum": 0, "maximum": 8760},
    )
    max_reminders: MaxReminders = Field(
        3,
        description="Most reminders (1 to 20) a contact ever receives for this survey, counting "
        "those sent by earlier requests.",
        json_schema_extra={"minimum": 1, "maximum": 20},
    )

    @model_validator(mode="after")
    def _one_scope(self) -> "ReminderCreate":
        self._check_scope(self.segment_id, self.contact_ids, required=False)
        return self


class CampaignOut(ApiModel):
    id: str = Field(description="The id of this invitation or reminder request")
    kind: Literal["invitation", "reminder"]
    survey_id: str
    segment_id: str | None
    created_at: IsoDateTime
    queued: int = Field(description="Mails written to the outbox, one per contact")
    skipped: int = Field(
        description="Targeted contacts that get no mail: no valid `email` attribute, already "
        "finished the survey, already invited (unless `resend`), a mail still pending, or "
        "(reminders) not invited yet, reminded too recently or `maxReminders` times already"
    )


State = Literal[
    "notInvited",
    "queued",
    "invited",
    "mailFailed",
    "reminded",
    "opened",
    "notOpened",
    "started",
    "inProgress",
    "finished",
    "notFinished",
    "revoked",
]
STATE_HELP = (
    "Only contacts in this state. `notInvited`: no invitation sent or queued; `queued`: an "
    "invitation waits in the outbox; `invited`: at least one invitation sent; `mailFailed`: the "
    "latest invitation or reminder could not be delivered; `reminded`: at least one reminder "
    "sent; `opened`/`notOpened`: opened the personal-link page at least once / never; "
    "`started`: has a response; `inProgress`: has a response that is not finished; "
    "`finished`: has a finished response; `notFinished`: no finished response (the "
    "non-responders); `revoked`: links revoked at least once."
)


class StatusFilter(ApiModel):
    limit: Limit = Field(50, description="Number of contacts to return (1 to 250)")
    skip: Skip = Field(0, description="Number of contacts to skip")
    segment_id: Cuid2 | None = Field(None, description="Only members of this segment")
    state: State | None = Field(None, description=STATE_HELP)


Progress = Literal["notInvited", "queued", "mailFailed", "invited", "opened", "started", "finished"]


class ContactLinkStatus(ApiModel):
    contact_id: str
    email: str | None = Field(description="The contact's `email` attribute")
    state: Progress = Field(
        description="The furthest step reached: finished > started > opened > invited > "
        "mailFailed > queued > notInvited"
    )
    invitation_status: Literal["queued", "sent", "failed", "skipped"] | None = Field(
        description="The latest invitation's delivery"
    )
    invitation_count: int = Field(description="Invitations sent")
    first_invited_at: IsoDateTime | None
    last_invited_at: IsoDateTime | None
    reminder_status: Literal["queued", "sent", "failed", "skipped"] | None
    reminder_count: int = Field(description="Reminders sent")
    last_reminded_at: IsoDateTime | None
    last_mail_error: str | None = Field(description="Why the latest mail failed or was skipped")
    link_issue_count: int = Field(
        description="Links handed out by the personal-link endpoint and in mails"
    )
    link_first_issued_at: IsoDateTime | None
    link_last_issued_at: IsoDateTime | None
    open_count: int = Field(description="Times the personal-link page was opened")
    first_opened_at: IsoDateTime | None
    response_id: str | None
    started_at: IsoDateTime | None = Field(description="When the response was created")
    finished_at: IsoDateTime | None = Field(
        description="When the finished response was last updated"
    )
    revoked_at: IsoDateTime | None = Field(description="Links issued up to here are refused")


class Revocation(ApiModel):
    survey_id: str
    contact_id: str
    revoked_at: datetime = Field(
        description="Every link issued to this contact for this survey up to this instant "
        "(microseconds) shows the invalid-link page; links issued later work"
    )

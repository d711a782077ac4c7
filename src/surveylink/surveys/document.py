"""The survey as typed models, loaded once it has passed validation (v1 surveys spec §3).

Validation (validation.py) checks upstream's schema on raw JSON and keeps its exact messages; what
it accepted is read through these models by the respondent page and the checks. Unknown keys are
ignored, so a stored document from an older version still loads. Pure.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, JsonValue
from pydantic.alias_generators import to_camel

I18n = dict[str, str]
ADDRESS_FIELDS = ("addressLine1", "addressLine2", "city", "state", "zip", "country")
CONTACT_FIELDS = ("firstName", "lastName", "email", "phone", "company")


class DocumentModel(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True
    )


def localized(value: I18n | None, language: str) -> str:
    """Upstream's `getLocalizedValue`: the text in `language` if there is one, else default."""
    if not value:
        return ""
    chosen = value.get(language)
    return chosen if isinstance(chosen, str) else value.get("default", "")


# --- elements --------------------------------------------------------------------------------


class Choice(DocumentModel):
    id: str
    label: I18n


class PictureChoice(DocumentModel):
    id: str
    image_url: str


class FieldToggle(DocumentModel):
    show: bool = True
    required: bool = False
    placeholder: I18n | None = None


class CharLimit(DocumentModel):
    enabled: bool = False
    min: float | None = None
    max: float | None = None


ShuffleOption = Literal[
    "none", "all", "exceptLast", "reverseOrderOccasionally", "reverseOrderExceptLast"
]


class ElementBase(DocumentModel):
    id: str
    headline: I18n
    subheader: I18n | None = None
    image_url: str | None = None
    video_url: str | None = None
    required: bool = False


class OpenText(ElementBase):
    type: Literal["openText"]
    placeholder: I18n | None = None
    long_answer: bool | None = None
    input_type: Literal["text", "email", "url", "number", "phone"] = "text"
    char_limit: CharLimit = CharLimit()


class MultipleChoice(ElementBase):
    type: Literal["multipleChoiceSingle", "multipleChoiceMulti"]
    choices: list[Choice]
    shuffle_option: ShuffleOption | None = None
    other_option_placeholder: I18n | None = None
    display_type: Literal["list", "dropdown"] | None = None


class Nps(ElementBase):
    type: Literal["nps"]
    lower_label: I18n | None = None
    upper_label: I18n | None = None
    is_color_coding_enabled: bool = False


class Rating(ElementBase):
    type: Literal["rating"]
    scale: Literal["number", "smiley", "star"] = "number"
    range: int = 5
    lower_label: I18n | None = None
    upper_label: I18n | None = None
    is_color_coding_enabled: bool = False


class Cta(ElementBase):
    type: Literal["cta"]
    button_external: bool = False
    button_url: str | None = None
    cta_button_label: I18n | None = None


class Consent(ElementBase):
    type: Literal["consent"]
    label: I18n
    html: I18n | None = None


class PictureSelection(ElementBase):
    type: Literal["pictureSelection"]
    allow_multi: bool = False
    choices: list[PictureChoice]


class DateElement(ElementBase):
    type: Literal["date"]
    html: I18n | None = None
    format: Literal["M-d-y", "d-M-y", "y-M-d"] = "y-M-d"


class FileUpload(ElementBase):
    type: Literal["fileUpload"]
    allow_multiple_files: bool = False
    max_size_in_mb: float | None = Field(None, alias="maxSizeInMB")
    allowed_file_extensions: list[str] | None = None


class Cal(ElementBase):
    type: Literal["cal"]
    cal_user_name: str
    cal_host: str | None = None


class Matrix(ElementBase):
    type: Literal["matrix"]
    rows: list[Choice]
    columns: list[Choice]
    shuffle_option: ShuffleOption = "none"


class Ranking(ElementBase):
    type: Literal["ranking"]
    choices: list[Choice]
    shuffle_option: ShuffleOption | None = None
    other_option_placeholder: I18n | None = None


class Address(ElementBase):
    type: Literal["address"]
    address_line1: FieldToggle = FieldToggle()
    address_line2: FieldToggle = FieldToggle()
    city: FieldToggle = FieldToggle()
    state: FieldToggle = FieldToggle()
    zip: FieldToggle = FieldToggle()
    country: FieldToggle = FieldToggle()


class ContactInfo(ElementBase):
    type: Literal["contactInfo"]
    first_name: FieldToggle = FieldToggle()
    last_name: FieldToggle = FieldToggle()
    email: FieldToggle = FieldToggle()
    phone: FieldToggle = FieldToggle()
    company: FieldToggle = FieldToggle()


Element = Annotated[
    OpenText
    | MultipleChoice
    | Nps
    | Rating
    | Cta
    | Consent
    | PictureSelection
    | DateElement
    | FileUpload
    | Cal
    | Matrix
    | Ranking
    | Address
    | ContactInfo,
    Field(discriminator="type"),
]


def toggles(element: Address | ContactInfo) -> list[tuple[str, FieldToggle]]:
    """The sub-fields of an address or contact-info element, in upstream's stored order."""
    names = ADDRESS_FIELDS if isinstance(element, Address) else CONTACT_FIELDS
    return [(name, getattr(element, _snake(name))) for name in names]


def toggle(element: Address | ContactInfo, name: str) -> FieldToggle:
    """One sub-field of an address or contact-info element, by upstream's name."""
    found = getattr(element, _snake(name))
    assert isinstance(found, FieldToggle)
    return found


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


# --- logic -----------------------------------------------------------------------------------


class DynamicOperand(DocumentModel):
    type: Literal["element", "question", "variable", "hiddenField"]
    value: str
    meta: dict[str, str] | None = None


class StaticOperand(DocumentModel):
    type: Literal["static"]
    value: str | int | float | list[str]


Operand = Annotated[DynamicOperand | StaticOperand, Field(discriminator="type")]


class SingleCondition(DocumentModel):
    id: str = ""
    left_operand: DynamicOperand
    operator: str
    right_operand: Operand | None = None


class ConditionGroup(DocumentModel):
    id: str = ""
    connector: Literal["and", "or"]
    conditions: list["ConditionGroup | SingleCondition"]


class CalculateAction(DocumentModel):
    id: str = ""
    objective: Literal["calculate"]
    variable_id: str
    operator: Literal["add", "subtract", "multiply", "divide", "assign", "concat"]
    value: Operand


class RequireAnswerAction(DocumentModel):
    id: str = ""
    objective: Literal["requireAnswer"]
    target: str


class JumpAction(DocumentModel):
    id: str = ""
    objective: Literal["jumpToBlock", "jumpToQuestion"]
    target: str


Action = Annotated[
    CalculateAction | RequireAnswerAction | JumpAction, Field(discriminator="objective")
]


class LogicRule(DocumentModel):
    id: str = ""
    conditions: ConditionGroup
    actions: list[Action]


# --- the survey ------------------------------------------------------------------------------


class Block(DocumentModel):
    id: str
    name: str = ""
    elements: list[Element]
    logic: list[LogicRule] = []
    logic_fallback: str | None = None
    button_label: I18n | None = None
    back_button_label: I18n | None = None


class EndScreen(DocumentModel):
    id: str
    type: Literal["endScreen"]
    headline: I18n | None = None
    subheader: I18n | None = None
    button_label: I18n | None = None
    button_link: str | None = None
    image_url: str | None = None
    video_url: str | None = None


class RedirectToUrl(DocumentModel):
    id: str
    type: Literal["redirectToUrl"]
    url: str | None = None
    label: str | None = None


Ending = Annotated[EndScreen | RedirectToUrl, Field(discriminator="type")]


class Variable(DocumentModel):
    id: str
    name: str
    type: Literal["number", "text"]
    value: int | float | str


class HiddenFields(DocumentModel):
    enabled: bool = False
    field_ids: list[str] | None = None


class WelcomeCard(DocumentModel):
    enabled: bool = False
    headline: I18n | None = None
    subheader: I18n | None = None
    html: I18n | None = None
    file_url: str | None = None
    button_label: I18n | None = None
    time_to_finish: bool = True
    show_response_count: bool = False
    video_url: str | None = None


class Language(DocumentModel):
    code: str
    alias: str | None = None


class SurveyLanguage(DocumentModel):
    language: Language
    default: bool = False
    enabled: bool = True


class ClosedMessage(DocumentModel):
    enabled: bool | None = None
    heading: str | None = None
    subheading: str | None = None


class SingleUse(DocumentModel):
    enabled: bool = False
    heading: str | None = None
    subheading: str | None = None
    is_encrypted: bool = True


class FollowUpTriggerProperties(DocumentModel):
    ending_ids: list[str] = []


class FollowUpTrigger(DocumentModel):
    type: Literal["response", "endings"]
    properties: FollowUpTriggerProperties | None = None


class FollowUpActionProperties(DocumentModel):
    to: str


class FollowUpAction(DocumentModel):
    properties: FollowUpActionProperties


class FollowUp(DocumentModel):
    trigger: FollowUpTrigger
    action: FollowUpAction
    deleted: bool = False


class SurveyDocument(DocumentModel):
    """Every field of a validated survey that the page, the engine and the checks read."""

    id: str = ""  # absent while a new survey is being validated
    name: str
    type: Literal["link", "app"] = "link"
    status: str = "draft"
    environment_id: str = ""
    welcome_card: WelcomeCard = WelcomeCard()
    blocks: list[Block] = []
    endings: list[Ending] = []
    hidden_fields: HiddenFields = HiddenFields()
    variables: list[Variable] = []
    auto_complete: int | float | None = None
    is_verify_email_enabled: bool = False
    is_back_button_hidden: bool = False
    is_auto_progressing_enabled: bool = False
    is_capture_ip_enabled: bool = False
    pin: str | None = None
    languages: list[SurveyLanguage] = []
    show_language_switch: bool | None = None
    single_use: SingleUse | None = None
    survey_closed_message: ClosedMessage | None = None
    styling: dict[str, JsonValue] | None = None
    follow_ups: list[FollowUp] = []

    @property
    def elements(self) -> list[Element]:
        """Every element of every block, in order (upstream's `getElementsFromSurveyBlocks`)."""
        return [element for block in self.blocks for element in block.elements]

    def element(self, element_id: str) -> Element | None:
        return next((e for e in self.elements if e.id == element_id), None)

    def block_index(self, block_id: str) -> int:
        return next((i for i, block in enumerate(self.blocks) if block.id == block_id), -1)

    def block_of(self, element_id: str) -> Block | None:
        """The block holding an element (upstream's `findBlockByElementId`)."""
        return next((b for b in self.blocks if any(e.id == element_id for e in b.elements)), None)

    def ending(self, ending_id: str) -> Ending | None:
        return next((ending for ending in self.endings if ending.id == ending_id), None)

    def variable(self, variable_id: str) -> Variable | None:
        return next((v for v in self.variables if v.id == variable_id), None)


def load(fields: dict[str, JsonValue]) -> SurveyDocument:
    """A validated survey's fields (surveys/shape.py `fields_of`) as the typed document."""
    return SurveyDocument.model_validate(fields)

"""The survey-level refinement (upstream's `surveyRefinement`): runs only on a survey that is
structurally valid (v1 spec §1.6), so it reads the typed document."""

from pydantic import ValidationError

from surveylink.surveys.block_checks import block_rules
from surveylink.surveys.checks import (
    Labels,
    Survey,
    ending_rules,
    follow_up_rules,
    question_rules,
    welcome_rules,
)
from surveylink.surveys.document import load
from surveylink.surveys.parsing import Issues, Path, soft


def survey_rules(survey: Survey, path: Path, issues: Issues) -> None:
    try:
        document = load(survey)
    except ValidationError:  # the models accept all the schema does; never a 500 if not
        soft(issues, path, "Invalid input")
        return
    questions = survey["questions"]  # legacy form: checked as sent, never stored
    has_questions = bool(questions)
    has_blocks = any(block.elements for block in document.blocks)
    if not has_questions and not has_blocks:
        soft(issues, ("questions",), "Survey must have either questions or blocks with elements")
    if has_questions and has_blocks:
        soft(issues, ("blocks",), "Survey cannot have both questions and blocks. Use one model.")
    labels = Labels(document.languages)
    welcome_rules(document.welcome_card, labels, issues)
    if has_questions:
        question_rules(questions, document, labels, issues)
    if has_blocks:
        block_rules(document, labels, issues)
    ending_rules(document.endings, labels, issues)
    follow_up_rules(document, issues)

"""The styling arithmetic, against upstream's color.ts and computeStyling."""

import pytest

from surveylink.respondent import styling


def test_mix_and_lightness_as_upstream_computes_them() -> None:
    assert styling.mix("#1d4ed8", "#ffffff", 0.8) == "#d2dcf7"
    assert styling.mix("#000", "#ffffff", 0.5) == "#808080"
    assert styling.is_light("#fde68a")
    assert not styling.is_light("#1d4ed8")


@pytest.mark.parametrize(
    ("value", "expected"),
    [(8, "8px"), ("12", "12px"), ("0.5rem", "0.5rem"), (0, "0px"), ("8px;}", None), (True, None)],
)
def test_length_is_a_number_with_a_unit_or_nothing(value: object, expected: str | None) -> None:
    assert styling.length(value) == expected


def test_project_theme_wins_unless_the_survey_may_and_does_overwrite_it() -> None:
    project = {"allowStyleOverwrite": True, "brandColor": {"light": "#111111"}}
    locked = {"allowStyleOverwrite": False, "brandColor": {"light": "#111111"}}
    survey = {"overwriteThemeStyling": True, "brandColor": {"light": "#222222"}}

    assert styling.effective_styling(project, survey) is survey
    assert styling.effective_styling(locked, survey) is locked
    assert styling.effective_styling(project, {"brandColor": {"light": "#2"}}) is project

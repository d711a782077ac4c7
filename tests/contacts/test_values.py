"""Attribute value typing (resources spec §2.3), checked directly on the pure module."""

from datetime import UTC, datetime

import pytest

from surveylink.contacts.values import Columns, detect_type, js_string, store, to_columns


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-15", "date"),
        ("2024/01/15", "date"),
        ("15-01-2024", "date"),
        ("01/15/2024", "date"),
        ("2024-01-15T10:30:00.000Z", "date"),
        ("2024-13-45", "string"),
        ("42", "number"),
        (" 12 ", "number"),
        ("1e3", "number"),
        ("0x10", "number"),
        ("-3.5", "number"),
        ("Infinity", "string"),
        ("", "string"),
        ("pro", "string"),
        ("12abc", "string"),
        ("0001-01-01T00:00:00+23:59", "string"),  # before year 1 in UTC
        ("9999-12-31T23:59:59-23:59", "string"),  # after year 9999 in UTC
        ("01-01-" + "1" * 5000, "string"),
        ("\u0662\u0660\u0662\u0664-01-15", "string"),  # Arabic-Indic digits
        ("2024-01-15T10:30:00." + "9" * 5000 + "Z", "date"),
    ],
)
def test_detect_type(text: str, expected: str) -> None:
    assert detect_type(text) == expected


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("15/01/2024", datetime(2024, 1, 15, tzinfo=UTC)),  # first part > 12: day first
        ("01/15/2024", datetime(2024, 1, 15, tzinfo=UTC)),  # second part > 12: month first
        ("02-03-2024", datetime(2024, 2, 3, tzinfo=UTC)),  # ambiguous: month first
        ("31-02-2024", datetime(2024, 3, 2, tzinfo=UTC)),  # rolls over as JavaScript does
        ("2024-01-15T10:30:00+02:00", datetime(2024, 1, 15, 8, 30, tzinfo=UTC)),
    ],
)
def test_dates_are_stored_as_iso_with_the_typed_column(text: str, moment: datetime) -> None:
    columns = to_columns(text, "date")

    assert columns is not None
    assert columns.value_date == moment
    assert columns.value == moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (7.0, "7"),
        (1000.0, "1000"),
        (-0.0, "0"),
        (12.5, "12.5"),
        (0.000001, "0.000001"),
        (1e-7, "1e-7"),
        (1e21, "1e+21"),
        (1.5e300, "1.5e+300"),
    ],
)
def test_numbers_print_as_javascript_prints_them(number: float, text: str) -> None:
    assert js_string(number) == text


def test_a_value_that_does_not_fit_its_type_is_kept_as_text() -> None:
    assert to_columns("soon", "date") is None
    assert to_columns("many", "number") is None
    assert store("many", "number") == Columns("many")
    assert store("007", "number") == Columns("7", value_number=7.0)

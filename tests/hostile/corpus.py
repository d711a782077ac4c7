"""Hostile inputs, as an attacker sends them: every one must be answered below 500.

A probe is one request. `body` is sent as raw bytes so that what Python's encoder refuses (lone
surrogates, NaN) still goes out exactly as an attacker would write it.
"""

import json
import random
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

FORTY_THOUSAND_DIGITS = "1" * 40_000
# Each a string a client may send where a short text is expected.
STRINGS: dict[str, str] = {
    "NUL": "a\x00b",
    "lone high surrogate": "a\ud800b",
    "lone low surrogate": "\udfff",
    "256 chars": "x" * 256,
    "1,001 chars": "y" * 1001,
    "70,000 chars": "z" * 70_000,
    "3,000 two-byte chars": "é" * 3000,
    "1,000 emoji": "\U0001f600" * 1000,
    # PostgreSQL compresses repeated text before it indexes it; random text it cannot.
    "3,000 random letters": "".join(random.Random(3000).choices(string.ascii_letters, k=3000)),
}
# Each a JSON number token (raw text) a client may send where a number is expected.
NUMBERS: dict[str, str] = {
    "NaN": "NaN",
    "Infinity": "Infinity",
    "-Infinity": "-Infinity",
    "1e400": "1e400",
    "-1e400": "-1e400",
    "10**400": "1" + "0" * 400,
    "5,000 digits": "9" * 5000,
    "1e308": "1e308",
}
# httpx sends URLs of up to 64 KiB, and no lone surrogate (it has no UTF-8 form).
URL_STRINGS = {
    label: text
    for label, text in STRINGS.items()
    if "surrogate" not in label and len(text) < 10_000
}
# Each a query value where an integer is expected.
INTEGERS: dict[str, str] = {
    "40,000 digits": FORTY_THOUSAND_DIGITS,
    "40,000 digits, then a letter": FORTY_THOUSAND_DIGITS + "x",
    "40,000 digits with a point": "1" * 20_000 + "." + "1" * 19_999,
    "hex 40,000 digits": "0x" + "f" * 40_000,
    "binary 40,000 digits": "0b" + "1" * 40_000,
    "1e400": "1e400",
    "1e308": "1e308",
    "1e20": "1e20",
    "-1e20": "-1e20",
    "2**63": str(2**63),
    "superscript two": "\u00b2",
    "circled five": "\u2464",
    "NUL": "\x00",
}
DATES: dict[str, Any] = {
    "year 9999 behind UTC": "9999-12-31T23:59:59-23:59",
    "year 1 ahead of UTC": "0001-01-01T00:00:00+23:59",
    "year 275760": "275760-09-13T00:00:00.000Z",
    "year 10000": "10000-01-01T00:00:00Z",
    "negative year": "-000001-01-01T00:00:00Z",
    "huge timestamp": 1e20,
    "NUL": "2024-01-01\x00",
}
DEEP_ARRAY = "[" * 100_000 + "]" * 100_000
DEEP_OBJECT = '{"a":' * 900 + "1" + "}" * 900


@dataclass(frozen=True)
class Seed:
    """Ids of one of every resource, and the path of the contact's link (`/c/{token}`)."""

    survey: str
    contact: str
    response: str
    webhook: str
    attribute_key: str
    segment: str
    link: str

    def fill(self, path: str) -> str:
        return path.format(
            survey=self.survey,
            contact=self.contact,
            webhook=self.webhook,
            segment=self.segment,
        )


@dataclass(frozen=True)
class Probe:
    method: str
    path: str
    what: str
    params: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    form: dict[str, str] | None = None
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def page(self) -> bool:
        return self.path.startswith("/c/")


def raw_json(value: Any, **tokens: str) -> bytes:
    """`value` as JSON, ASCII-escaped; each string `@name@` becomes the raw token `tokens[name]`."""
    text = json.dumps(value, ensure_ascii=True)
    for name, token in tokens.items():
        text = text.replace(f'"@{name}@"', token)
    return text.encode()


def _set(body: Any, path: tuple[str | int, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(body))
    node = copy
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return copy


def _rename_key(body: Any, path: tuple[str | int, ...], new: str) -> Any:
    """`body` with the key at `path` renamed to `new` (keys are data too)."""
    copy = json.loads(json.dumps(body))
    node = copy
    for part in path[:-1]:
        node = node[part]
    node[new] = node.pop(path[-1])
    return copy


def _bodies(seed: Seed, environment_id: str) -> list[tuple[str, str, Any]]:
    """(method, path, a valid body) for every route that takes a JSON body."""
    meta = {
        "source": "api",
        "url": "https://example.com/form",
        "userAgent": {"browser": "Firefox", "os": "Linux", "device": "desktop"},
        "country": "FR",
        "action": "import",
    }
    response = {
        "surveyId": seed.survey,
        "finished": False,
        "data": {"name": "Ada", "color": "Blue"},
        "language": "default",
        "singleUseId": "single-use",
        "meta": meta,
        "userId": "ada",
        "variables": {"score": 1},
        "ttc": {"name": 1.5},
    }
    update = {k: v for k, v in response.items() if k not in ("surveyId", "userId")}
    webhook = {
        "name": "CRM",
        "url": "http://127.0.0.1:9/hook",
        "source": "user",
        "environmentId": environment_id,
        "triggers": ["responseCreated"],
        "surveyIds": [],
    }
    bulk_contact = {
        "attributes": [
            {"attributeKey": {"key": "email", "name": "Email"}, "value": "bulk@example.com"},
            {"attributeKey": {"key": "plan", "name": "Plan"}, "value": "pro"},
        ]
    }
    return [
        (
            "POST",
            "/api/v2/management/contacts",
            {
                "environmentId": environment_id,
                "attributes": {"email": "new@example.com", "firstName": "Ada"},
            },
        ),
        (
            "PUT",
            "/api/v2/management/contacts/bulk",
            {"environmentId": environment_id, "contacts": [bulk_contact]},
        ),
        (
            "POST",
            "/api/v2/management/contact-attribute-keys",
            {"key": "plan", "name": "Plan", "description": "d", "environmentId": environment_id},
        ),
        (
            "PUT",
            f"/api/v2/management/contact-attribute-keys/{seed.attribute_key}",
            {"name": "Name", "description": "d"},
        ),
        ("POST", "/api/v2/management/responses", response),
        ("PUT", f"/api/v2/management/responses/{seed.response}", update),
        ("POST", "/api/v2/management/webhooks", webhook),
        (
            "PUT",
            f"/api/v2/management/webhooks/{seed.webhook}",
            {k: v for k, v in webhook.items() if k != "environmentId"},
        ),
        (
            "POST",
            "/api/v1/management/surveys",
            {
                "environmentId": environment_id,
                "name": "Survey",
                "type": "link",
                "status": "draft",
                "slug": "survey-slug",
                "delay": 0,
                "questions": [
                    {
                        "id": "q1",
                        "type": "openText",
                        "headline": {"default": "Q?"},
                        "required": False,
                        "inputType": "text",
                        "charLimit": {"enabled": False},
                    }
                ],
            },
        ),
        ("PUT", f"/api/v1/management/surveys/{seed.survey}", {"name": "Renamed", "delay": 1}),
        (
            "POST",
            "/api/v1/management/contact-attribute-keys",
            {
                "key": "tier",
                "type": "custom",
                "environmentId": environment_id,
                "name": "Tier",
                "description": "d",
            },
        ),
        (
            "PUT",
            f"/api/v1/management/contact-attribute-keys/{seed.attribute_key}",
            {"name": "First", "description": "d"},
        ),
    ]


def _leaves(
    value: Any, path: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    else:
        yield path, value


def body_probes(seed: Seed, environment_id: str) -> Iterator[Probe]:
    """Every leaf of every body replaced by each hostile string, number and date; every object
    key renamed to each hostile string; the whole body replaced by malformed or deep JSON."""
    for method, path, body in _bodies(seed, environment_id):
        for where, value in _leaves(body):
            name = ".".join(str(part) for part in where)
            for label, text in STRINGS.items():
                yield Probe(
                    method, path, f"{name} = {label}", body=raw_json(_set(body, where, text))
                )
            for label, token in NUMBERS.items():
                changed = raw_json(_set(body, where, "@n@"), n=token)
                yield Probe(method, path, f"{name} = {label}", body=changed)
            if isinstance(value, str) and not isinstance(where[-1], int):
                for label, moment in DATES.items():
                    changed = raw_json(_set(body, where, moment))
                    yield Probe(method, path, f"{name} = date {label}", body=changed)
            if isinstance(where[-1], str) and where[0] in (
                "data",
                "variables",
                "ttc",
                "attributes",
            ):
                for label, text in STRINGS.items():
                    renamed = raw_json(_rename_key(body, where, text))
                    yield Probe(method, path, f"key {name} renamed to {label}", body=renamed)
        for label, text in {"deep array": DEEP_ARRAY, "deep object": DEEP_OBJECT}.items():
            yield Probe(method, path, label, body=text.encode())
            if isinstance(body, dict):
                for key in body:
                    nested = raw_json(_set(body, (key,), "@deep@"), deep=text)
                    yield Probe(method, path, f"{key} = {label}", body=nested)
        yield Probe(method, path, "NaN body", body=b"NaN")
        yield Probe(method, path, "invalid UTF-8", body=b'{"name": "\xff\xfe"}')
        for field_name in ("createdAt", "updatedAt") if "responses" in path else ():
            for label, moment in DATES.items():
                changed = raw_json(_set(body, (field_name,), moment))
                yield Probe(method, path, f"{field_name} = {label}", body=changed)


def attribute_probes(environment_id: str) -> Iterator[Probe]:
    """Bulk values whose type is read from them: under keys the upload creates, and under a
    date key (which parses every value it is given)."""
    texts = {
        **STRINGS,
        **{f"date {label}": moment for label, moment in DATES.items() if isinstance(moment, str)},
        "date with a 5,000-digit year": "01-01-" + "1" * 5000,
        "date in Arabic-Indic digits": "\u0662\u0660\u0662\u0664-01-15",
    }

    def upload(n: int, key: str, value: str) -> bytes:
        email = {"attributeKey": {"key": "email", "name": "Email"}, "value": f"t{n}@example.com"}
        typed = {"attributeKey": {"key": key, "name": key}, "value": value}
        contacts = [{"attributes": [email, typed]}]
        return raw_json({"environmentId": environment_id, "contacts": contacts})

    path = "/api/v2/management/contacts/bulk"
    yield Probe("PUT", path, "a date key", body=upload(0, "since", "2024-01-15"))
    for n, (label, text) in enumerate(texts.items(), start=1):
        yield Probe("PUT", path, f"new key = {label}", body=upload(n, f"fresh{n}", text))
        yield Probe("PUT", path, f"date key = {label}", body=upload(n, "since", text))


LISTS = {
    "/api/v2/management/responses": ("limit", "skip"),
    "/api/v2/management/contact-attribute-keys": ("limit", "skip"),
    "/api/v2/management/webhooks": ("limit", "skip"),
    "/api/v2/management/webhooks/{webhook}/deliveries": ("limit", "skip"),
    "/api/v2/management/surveys/{survey}/contact-links/contacts/{contact}": ("expirationDays",),
    "/api/v2/management/surveys/{survey}/contact-links/segments/{segment}": (
        "limit",
        "skip",
        "expirationDays",
    ),
    "/api/v1/management/surveys": ("limit", "offset"),
}
DATED = (
    "/api/v2/management/responses",
    "/api/v2/management/contact-attribute-keys",
    "/api/v2/management/webhooks",
)
# Query strings a list filters on, compared with database columns.
FILTERS = {
    "/api/v2/management/responses": ("contactId", "surveyId"),
    "/api/v2/management/contact-attribute-keys": ("environmentId",),
    "/api/v2/management/surveys/{survey}/contact-links/segments/{segment}": ("attributeKeys",),
}
# Paths whose last part is an id a client chooses.
BY_ID = (
    "/api/v2/management/responses/{}",
    "/api/v2/management/contact-attribute-keys/{}",
    "/api/v2/management/webhooks/{}",
    "/api/v1/management/surveys/{}",
    "/api/v1/management/contacts/{}",
    "/api/v1/management/contact-attribute-keys/{}",
)


def query_probes(seed: Seed) -> Iterator[Probe]:
    for path, names in LISTS.items():
        for name in names:
            for label, value in INTEGERS.items():
                yield Probe("GET", seed.fill(path), f"{name} = {label}", params=[(name, value)])
    for path in DATED:
        for name in ("startDate", "endDate"):
            for label, moment in DATES.items():
                yield Probe("GET", path, f"{name} = {label}", params=[(name, str(moment))])
    for path, names in FILTERS.items():
        for name in names:
            for label, text in URL_STRINGS.items():
                yield Probe("GET", seed.fill(path), f"{name} = {label}", params=[(name, text)])
            # A surrogate has no UTF-8 form: the nearest a URL carries is its invalid encoding.
            encoded = f"{seed.fill(path)}?{name}=%ED%A0%80"
            yield Probe("GET", encoded, f"{name} = encoded surrogate")
    for path in BY_ID:
        for label, text in {**URL_STRINGS, "encoded surrogate": "%ED%A0%80"}.items():
            for method in ("GET", "DELETE"):
                yield Probe(method, path.format(quote(text, safe="%")), f"id = {label}")


def page_probes(seed: Seed) -> Iterator[Probe]:
    link = seed.link
    hostile = {**INTEGERS, **URL_STRINGS}
    for name in ("step", "lang", "suId", "source", "name", "nps", "stars", "color", "preview"):
        for label, value in hostile.items():
            yield Probe("GET", link, f"?{name} = {label}", params=[(name, value)])
    answers = {
        "step": "0",
        "shown": "1",
        "name": "Ada",
        "nps": "9",
        "stars": "4",
        "grid.r0": "0",
        "rank.0": "1",
        "born": "1990-12-10",
    }
    for name in answers:
        for label, value in hostile.items():
            yield Probe("POST", link, f"form {name} = {label}", form={**answers, name: value})
    # Later steps through the preview, which checks answers as the real page does.
    steps = {"nps": 3, "stars": 4, "born": 7, "grid.r0": 8, "grid.r1": 8, "rank.0": 9, "rank.1": 9}
    for name, step in steps.items():
        for label, value in hostile.items():
            form = {"step": str(step), "shown": "1", name: value}
            preview = [("preview", "true")]
            yield Probe(
                "POST", link, f"step {step} form {name} = {label}", form=form, params=preview
            )
            if "." not in name:  # upstream's prefill: ?<question id>=value
                query = [("preview", "true"), ("step", str(step)), (name, value)]
                yield Probe("GET", link, f"step {step} prefill {name} = {label}", params=query)
    for label, value in {"NUL": "F\x00R", "8,000 chars": "R" * 8000}.items():
        headers = {"cf-ipcountry": value, "user-agent": value}
        yield Probe("POST", link, f"header = {label}", form=answers, headers=headers)
        yield Probe("POST", link, f"query = {label}", form=answers, params=[("source", value)])
    for path in ("/c/", "/c/a/b", "/c/" + "t" * 5000, "/c/_static/missing.css", "/c/%00"):
        yield Probe("GET", path, "unknown page")
    yield Probe("PUT", link, "method not allowed")
    yield Probe("DELETE", "/c/anything", "method not allowed")

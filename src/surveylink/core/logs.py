"""Logging for `surveylink serve` and `surveylink worker`: nothing secret is ever written.

- The access log shows `/c/{token}` as `/c/[redacted]`: the token is the respondent's
  credential, and the query string may carry their prefilled answers.
- SQLAlchemy and aiosqlite log every statement with its parameters (emails, answers, key
  hashes) once the root level is DEBUG; they are held at WARNING whatever LOG_LEVEL says. The
  engine also leaves parameters out of its error messages (core/db.py).
"""

import copy
import logging
import re
from typing import Any

from uvicorn.config import LOGGING_CONFIG

_LINK = re.compile(r"/c/[^/?#]+")
REDACTED = "/c/[redacted]"
# Loggers that would write SQL parameters at DEBUG or INFO.
QUIET = ("sqlalchemy", "aiosqlite")


def redact(path: str) -> str:
    """A request path (with its query) as the access log may show it."""
    if not path.startswith("/c/") or path.startswith("/c/_static/"):
        return path
    matched = _LINK.match(path)
    if matched is None:
        return path
    tail, question, _ = path[matched.end() :].partition("?")
    return REDACTED + tail + ("?[redacted]" if question else "")


class RedactLinks(logging.Filter):
    """For uvicorn's access log, whose records carry the path as their third argument."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], redact(args[2]), *args[3:])
        return True


def server_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with the access log redacted and SQL quiet."""
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact_links": {"()": "surveylink.core.logs.RedactLinks"}}
    config["handlers"]["access"]["filters"] = ["redact_links"]
    for name in QUIET:
        config["loggers"][name] = {"level": "WARNING"}
    return config


def configure(level: str) -> None:
    """The process's own logs (ours, the worker's) at `level`, SQL quiet."""
    logging.basicConfig(level=level.upper())
    for name in QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)

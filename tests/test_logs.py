"""Logging: e-mails masked, resumes dropped, the token never printed."""

from __future__ import annotations

import io
import json

import structlog

from sync.logs import configure_logging
from sync.redact import mask_email, register_secret, scrub


class TestMasking:
    """Personal data is masked wherever it appears in a log value."""

    def test_email_is_masked_keeping_first_letter_and_domain(self):
        assert mask_email("write to jane.doe@example.com now") == "write to j***@example.com now"

    def test_registered_secret_is_replaced(self):
        register_secret("tok-ABCDEF123456")
        assert "tok-ABCDEF123456" not in scrub("Authorization: Bearer tok-ABCDEF123456")


class TestRenderedLines:
    """What reaches the stream, rendered as JSON, holds no resume, token or e-mail."""

    def test_json_line_has_no_private_data(self):
        out = io.StringIO()
        register_secret("secret-token-987654")
        assert configure_logging("json", stream=out) == "json"
        structlog.get_logger().info(
            "row",
            candidate_email="ana.silva@example.com",
            candidate_resume="Ana Silva CV: private history",
            detail="failed with secret-token-987654",
            nested={"resume": "more private text", "to": "bob@example.org"},
        )
        line = out.getvalue()
        record = json.loads(line)
        assert record["candidate_email"] == "a***@example.com"
        assert record["candidate_resume"] == "<omitted>"
        assert record["nested"] == {"resume": "<omitted>", "to": "b***@example.org"}
        assert "private" not in line
        assert "secret-token-987654" not in line

    def test_auto_is_json_when_not_a_terminal(self):
        assert configure_logging("auto", stream=io.StringIO()) == "json"

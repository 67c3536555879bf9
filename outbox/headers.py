"""Text that goes into an email header stays on one line.

A line break in a header would end it and let the rest forge headers of its own; Django refuses
such a message outright (BadHeaderError), so a name with a line break in it would stop every
email that carries it. Names are refused where people type them (`validate_single_line`) and
made safe again wherever a header is built (`single_line`).
"""

import re

from django.core.exceptions import ValidationError

# Anything an email header would take as the end of a line (and NUL, which ends it elsewhere).
LINE_BREAK = re.compile(r"[\x00\r\n\v\f\x1c-\x1e\x85\u2028\u2029]")


def validate_single_line(value):
    if LINE_BREAK.search(value):
        raise ValidationError("Line breaks aren’t allowed here: use one line.", code="line_break")


def single_line(text):
    """`text` on one line: each run of line breaks and other whitespace becomes one space."""
    return " ".join(LINE_BREAK.sub(" ", text).split())

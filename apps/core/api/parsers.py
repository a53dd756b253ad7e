"""Request body parsers: JSON that a person or program can be told is wrong, never a 500."""

from __future__ import annotations

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class TrestleJSONParser(JSONParser):
    """DRF's JSON parser, with deeply nested bodies refused as a 400 (Python's decoder recurses per level)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("The JSON body is nested too deeply. Send objects and lists nested a few levels at most.")

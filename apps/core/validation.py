"""Small helpers shared by the services' validators.

A validator returns ``{field: [message, ...]}`` and writes nothing; the service raises
``ValidationFailed`` with it, an admin form shows it next to the field, an import shows it
against the row. The model's own field rules (blank, max_length, choices, e-mail …) are
reused through ``model_field_errors`` so that they are declared once, on the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError

from apps.core.exceptions import ValidationFailed

ErrorDict = dict[str, list[str]]


def add_error(errors: ErrorDict, field: str, message: str) -> None:
    messages = errors.setdefault(field, [])
    if message not in messages:
        messages.append(message)


def merge_errors(*error_dicts: Mapping[str, Iterable[str]]) -> ErrorDict:
    merged: ErrorDict = {}
    for errors in error_dicts:
        for field, messages in errors.items():
            for message in messages:
                add_error(merged, field, message)
    return merged


def model_field_errors(instance, *, fields: Iterable[str]) -> ErrorDict:
    """The model's field validation for ``fields`` only (no uniqueness, no constraints, no FK queries)."""
    wanted = set(fields)
    exclude = {field.name for field in instance._meta.concrete_fields} - wanted
    try:
        instance.clean_fields(exclude=exclude)
    except ValidationError as exc:
        return {field: list(messages) for field, messages in exc.message_dict.items()}
    return {}


def raise_if_errors(errors: ErrorDict) -> None:
    if errors:
        raise ValidationFailed(errors)


def text(value: object) -> str:
    """A cell or argument as trimmed text; ``None`` is empty."""
    if value is None:
        return ""
    return str(value).strip()


class RowsInvalid(ValidationFailed):
    """Some rows of a bulk write are invalid; nothing was written.

    ``row_errors`` maps the 1-based position of each bad row to its ``{field: [messages]}``;
    ``errors`` (inherited) has the same messages prefixed with "Row N: " for a flat display.
    """

    def __init__(self, row_errors: Mapping[int, ErrorDict]):
        self.row_errors = {number: dict(errors) for number, errors in sorted(row_errors.items())}
        flat: ErrorDict = {}
        for number, errors in self.row_errors.items():
            for field, messages in errors.items():
                for message in messages:
                    add_error(flat, field, f"Row {number}: {message}")
        super().__init__(flat)


def duplicate_in_batch_message(*, label: str, value: str, first_row: int, this_row: int) -> str:
    return (
        f"{label} {value!s} appears more than once (rows {first_row} and {this_row}); "
        f"each {label.lower()} may appear only once."
    )

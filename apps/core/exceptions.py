"""One family of business errors, each with a code and a message a person can act on."""

from __future__ import annotations


class ApplicationError(Exception):
    """A business rule refused the request. Nothing was changed."""

    status_code = 400
    default_code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.field = field
        self.extra = extra or {}

    def as_dict(self) -> dict:
        data = {"code": self.code, "message": self.message}
        if self.field:
            data["field"] = self.field
        if self.extra:
            data.update(self.extra)
        return data


class ValidationFailed(ApplicationError):
    """Input failed validation; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, list[str]] | dict[str, str], *, code: str = "invalid"):
        normalised = {key: value if isinstance(value, list) else [value] for key, value in errors.items()}
        first_field, first_messages = next(iter(normalised.items()))
        super().__init__(first_messages[0], code=code, field=first_field)
        self.errors = normalised


class PermissionRefused(ApplicationError):
    status_code = 403
    default_code = "permission_denied"


class NotFound(ApplicationError):
    status_code = 404
    default_code = "not_found"


class Conflict(ApplicationError):
    """The object is not in a state that allows the action (e.g. a transition from the wrong status)."""

    status_code = 409
    default_code = "conflict"

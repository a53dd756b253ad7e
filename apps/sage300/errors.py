"""Every message the embedded Sage 300 CRE can answer with, in one table.

Wordings marked ``confirmed=True`` are Sage's (or the hh2 bridge's) exact text as the seed's
troubleshooting table or Procore's own pages quote it, character for character. Sage does not
publish the others (see ``reference/sage300.md`` §9.5); they are written in Sage's style and
flagged ``confirmed=False`` so nobody mistakes them for Sage's text.
"""

from __future__ import annotations

from dataclasses import dataclass

from apps.sage300.limits import ColumnLimit



@dataclass(frozen=True)
class SageMessage:
    code: str
    text: str  # a ``str.format`` template
    retryable: bool = False
    confirmed: bool = True
    source: str = ""


MESSAGES: dict[str, SageMessage] = {
    message.code: message
    for message in (
        # --- Exact wordings from the seed's error table (RULES group 14) -----------------------
        SageMessage("job_id_exists", "A job already exists with the specified id.", source="seed L1002, R217"),
        SageMessage("job_code_exists", "A job with that code already exists.", source="seed L991, R213"),
        SageMessage(
            "too_long",
            "[{label}] is too long, maximum length is {max_length} characters.",
            source="seed L999-1001, R214-R216",
        ),
        SageMessage("job_closed", "Job has been closed.", source="seed L805, R194"),
        SageMessage("vendor_inactive", "Vendor is inactive/has been archived.", source="seed L870, R200"),
        SageMessage(
            "not_in_where_clause",
            "No entities could be found of type [{entity}] with given where clause.",
            source="seed L888, R202",
        ),
        SageMessage("entity_not_found", "Entity with this ID not found.", source="seed L971, R209"),
        SageMessage("blank", "Can't be blank.", source="seed L975, R210"),
        SageMessage(
            "hourly_limit",
            "Unknown Error => You have surpassed the max number of requests for an hour. "
            "Please wait until your limit resets.",
            retryable=True,
            source="seed L983, R212",
        ),
        SageMessage(
            "import_timeout",
            "The Import operation took longer than the set timeout.",
            retryable=True,
            source="Procore Sage 300 CRE landing page FAQ (reference/sage300.md §4.2)",
        ),
        SageMessage(
            "gl_period_closed",
            "GL period closed.  Entry not allowed. ({date}).",
            source="seed L924, R205: the part of the AP import refusal that is Sage's posting rule",
        ),
        # --- Invented in Sage's style (Sage's wording not published) ------------------------------
        SageMessage(
            "reference_exists",
            "Entries with reference {reference} are already on job {job} (batch {batch}).",
            confirmed=False,
        ),
        SageMessage("no_entries", "There are no entries to post.", confirmed=False),
        SageMessage("batch_posted", "Batch {batch} has already been posted.", confirmed=False),
        SageMessage(
            "entry_not_postable",
            "Entry {row_id} ({job} {cost_code} {category}): {reason}",
            confirmed=False,
        ),
        SageMessage(
            "transaction_type_not_allowed",
            "Transaction type {transaction_type} cannot be entered here.",
            confirmed=False,
        ),
        SageMessage(
            "cost_code_format",
            "Cost code {code} is not in the format set up in Custom Descriptions (e.g. 01-100).",
            confirmed=False,
        ),
        SageMessage("vendor_id_exists", "A vendor already exists with the specified id.", confirmed=False),
        SageMessage("extra_id_exists", "An extra already exists with the specified id.", confirmed=False),
        SageMessage("cost_code_exists", "A cost code already exists with the specified id.", confirmed=False),
        SageMessage("category_exists", "A category already exists with the specified id.", confirmed=False),
        SageMessage(
            "standard_cost_code_exists", "A standard cost code already exists with the specified id.", confirmed=False
        ),
        SageMessage(
            "standard_category_exists", "A standard category already exists with the specified id.", confirmed=False
        ),
        SageMessage(
            "summary_cost_code",
            "Cost code {code} is a summary cost code and cannot have categories.",
            confirmed=False,
        ),
        SageMessage("invalid_value", "[{label}] has an invalid value: {value}.", confirmed=False),
        SageMessage(
            "expiration_before_effective",
            "Expiration date must be on or after the effective date.",
            confirmed=False,
        ),
        SageMessage("one_job_record", "The import file must contain exactly one Job record.", confirmed=False),
        SageMessage("unknown_record_type", "Unknown record type {record_type}.", confirmed=False),
        SageMessage(
            "too_many_fields",
            "[{record_type}] record has {count} fields; at most {max_count} are allowed.",
            confirmed=False,
        ),
        SageMessage("job_has_cost_codes", "Job {job} has cost codes and cannot be deleted.", confirmed=False),
        SageMessage("job_has_extras", "Job {job} has extras and cannot be deleted.", confirmed=False),
        SageMessage("extra_has_cost_codes", "Extra {extra} has cost codes and cannot be deleted.", confirmed=False),
        SageMessage(
            "cost_code_has_categories", "Cost code {code} has categories and cannot be deleted.", confirmed=False
        ),
    )
}


class SageError(Exception):
    """Sage refused the request; unless the message says otherwise nothing was written.

    ``field`` names the offending field (the model's or the import record's Python name) and
    ``row`` the 1-based record of an import file, when there is one.
    """

    def __init__(self, code: str, /, *, field: str | None = None, row: int | None = None, **params: object):
        entry = MESSAGES[code]
        self.code = code
        self.message = entry.text.format(**params)
        self.retryable = entry.retryable
        self.confirmed = entry.confirmed
        self.field = field
        self.row = row
        self.params = params  # what the message was filled with: the hub's resolutions use them too
        super().__init__(self.message)

    def __repr__(self) -> str:
        return f"SageError({self.code!r}, {self.message!r}, field={self.field!r}, row={self.row!r})"


def too_long(limit: ColumnLimit, *, field: str, row: int | None = None, length: int | None = None) -> SageError:
    return SageError(
        "too_long", field=field, row=row, label=limit.label, max_length=limit.max_length, length=length
    )


def not_found_in_where_clause(entity: str, *, field: str | None = None, row: int | None = None) -> SageError:
    return SageError("not_in_where_clause", field=field, row=row, entity=entity)

"""The error catalogue: every row of the seed's troubleshooting table (R193–R217), and a few more.

Each entry has a stable code, the message as the ERP words it, the cause, and a resolution the
user can act on. Where Trestle can prevent the cause (it checks at Send or Accept) or resolve it
(link an identical record, aggregate, retry after the rate limit) it does, and ``handling`` says so.
"Contact support" is never the resolution for a cause Trestle can see.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from enum import Enum

from apps.core.exceptions import ApplicationError


class Handling(str, Enum):
    PREVENT = "prevent"  # checked before the item reaches the ERP
    AUTO_RESOLVE = "auto_resolve"  # Trestle fixes it itself (link, aggregate, wait and retry)
    SHOW_RESOLUTION = "show_resolution"  # the user fixes the cause, then retries


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    rule: str  # the RULES.md item
    section: str  # the seed table's TOOL/SOLUTION group
    message: str  # the ERP's wording; ``{name}`` placeholders are filled from the error's context
    cause: str
    resolution: str
    retryable: bool
    handling: tuple[Handling, ...]
    # The ERP refused a write because it already holds a record under the same identity: the engine
    # then asks what is there, and links it when it is this very document.
    means_exists: bool = False
    # A passing condition (no answer, a request limit): worth trying again by itself, later.
    transient: bool = False


def _entry(code, rule, section, message, cause, resolution, *, retryable=False, handling=(Handling.SHOW_RESOLUTION,),
           means_exists=False, transient=False):
    return CatalogueEntry(code, rule, section, message, cause, resolution, retryable, tuple(handling), means_exists,
                          transient)


P, A, S = Handling.PREVENT, Handling.AUTO_RESOLVE, Handling.SHOW_RESOLUTION

CATALOGUE: dict[str, CatalogueEntry] = {
    entry.code: entry
    for entry in [
        # CHANGE ORDER Packages
        _entry(
            "cco_number_in_use", "R193", "Change orders",
            "A change order with code {code} already exists on this contract.",
            "The change order number entered at Accept is already used on this commitment in Sage.",
            "Trestle pre-fills the next free change order number when you accept. Enter {next_code} (the next "
            "number not used on commitment {commitment} in Sage) and press Retry.",
            retryable=True, handling=(P, S),
        ),
        _entry(
            "job_closed", "R194", "Change orders",
            "Job has been closed.",
            "The job is Closed in Sage 300 CRE; Sage accepts no new records or transactions on it.",
            "Reopen job {job} in Sage 300 CRE (Job Cost → Setup → Jobs → Status), then press Retry. Trestle refuses "
            "to send items for a job it knows is closed.",
            retryable=True, handling=(P, S),
        ),
        _entry(
            "cco_id_exists", "R195", "Change orders",
            "A commitment change order already exists with the specified id.",
            "Commitment change order IDs are unique across Sage; the ID entered at Accept is already used.",
            "If the change order in Sage is this one (same commitment, lines and amounts), Trestle links it and marks "
            "it synced. Otherwise enter a different CCO ID and press Retry.",
            retryable=True, handling=(P, A, S), means_exists=True,
        ),
        _entry(
            "contract_item_exists", "R196", "Change orders",
            "A contract item already exists on this contract with the specified code.",
            "The new contract item code is already on the Sage contract (the line was not marked synced, the "
            "contract was edited in Sage, or the PCCO was reset).",
            "If the item is the one this PCCO created, Trestle marks the line synced. Otherwise sync the prime "
            "contract from Sage (Prime Contracts tab) or choose another contract item code, then Retry.",
            retryable=True, handling=(P, A, S), means_exists=True,
        ),
        _entry(
            "commitment_archived", "R197", "Change orders",
            "Commitment has been archived.",
            "The parent commitment is archived in Sage, or one of its schedule of values lines never synced.",
            "Trestle sends a CCO only when its commitment and every commitment line are synced. {detail}",
            handling=(P, S),
        ),
        _entry(
            "commitment_code_exits", "R198", "Change orders",
            "A commitment with code [{code}] already exits.",
            "A commitment was deleted and re-created, an earlier export attempt failed, or another commitment has "
            "the same code.",
            "If the commitment in Sage is this export (same idempotency key and content) Trestle links it. "
            "Otherwise choose a different Sage ID and press Retry.",
            retryable=True, handling=(A, P, S), means_exists=True,
        ),
        # CONTRACTS
        _entry(
            "commitment_code_exists", "R199", "Contracts",
            "A commitment with code [{code}] already exists.",
            "The commitment was deleted and re-created, an earlier export attempt failed, or a different "
            "commitment with the same code exists.",
            "If the commitment in Sage is this export (same idempotency key and content) Trestle links it. "
            "Otherwise choose a different Sage ID and press Retry.",
            retryable=True, handling=(A, P, S), means_exists=True,
        ),
        _entry(
            "vendor_inactive", "R200", "Contracts",
            "Vendor is inactive/has been archived.",
            "The vendor is set to Inactive in Sage 300 CRE.",
            "Reactivate vendor {vendor} in Sage (Accounts Payable → Vendors → clear Inactive), run the Vendors sync, "
            "then press Retry. If the company is no longer linked, link it again under ERP Integrations → Vendors.",
            retryable=True, handling=(P, S),
        ),
        _entry(
            "code_change_not_allowed", "R201", "Contracts",
            "Changing the code is not allowed.",
            "The item was attempted several times with different codes.",
            "Trestle keeps the code of the first attempt for every retry and clears its own stale attempts; press "
            "Retry. To use another code, reject the item and send it again.",
            retryable=True, handling=(A, S),
        ),
        _entry(
            "category_not_on_job", "R202", "Contracts",
            "No entities could be found of type [Category] with given where clause.",
            "The category is no longer on the job in Sage (a cost code or category was deleted or re-added).",
            "Category {category} of cost code {cost_code} is not on job {job} in Sage. Add it to the job in Sage or "
            "change the line, press Refresh Cost Codes on the project's page, then press Retry.",
            retryable=True, handling=(P, S),
        ),
        _entry(
            "commitment_id_exists", "R203", "Contracts",
            "A commitment already exists with the specified id.",
            "A commitment with this code exists (or existed) in Sage, e.g. one created directly in Sage.",
            "Enter a different Sage ID and press Retry. After a project is synced, create commitments only in Trestle.",
            retryable=True, handling=(P, S), means_exists=True,
        ),
        # INVOICES
        _entry(
            "invoice_exists", "R204", "Invoices",
            "There are errors in the document's codings. Errors: Document already exists for specified vendor and "
            "code [{code}].",
            "Sage already has an invoice with this number for this vendor.",
            "If the invoice in Sage is this export, Trestle links it. Otherwise enter a unique ERP ID and press Retry.",
            retryable=True, handling=(P, A, S), means_exists=True,
        ),
        _entry(
            "gl_period_closed", "R205", "Invoices",
            "Ap Invoice Api import failed with error message: GL period closed.  Entry not allowed. ({date}).",
            "Invoices do not post to a closed GL period in Sage.",
            "Reopen the GL period of {date} in Sage, or change the Accounting Date, then press Retry. The retry "
            "resets the failed attempt itself.",
            retryable=True, handling=(P, S),
        ),
        _entry(
            "no_distributions", "R206", "Invoices",
            "The document's codings are incomplete: The document has no distributions.",
            "A zero-dollar invoice: its lines net to $0 (e.g. work completed and materials stored cancel out), so "
            "there is nothing to send.",
            "Correct the zero-dollar invoice: every line nets to $0. Trestle refuses to send it until a line has an "
            "amount.",
            handling=(P, S),
        ),
        _entry(
            "over_tolerance", "R207", "Invoices",
            "Ap Invoice Api import failed with error message: Commitment {commitment} - amount invoiced exceeds "
            "approved amount plus tolerance.",
            "Sage's over-commitment tolerance refuses billing above the commitment's approved amount.",
            "Billed to date would exceed commitment {commitment}'s approved amount. Reduce the billing or approve a "
            "change order, or raise the tolerance in Sage (AP Settings → Warning Message Settings), then Retry.",
            retryable=True, handling=(P, S),
        ),
        _entry(
            "invalid_expense_account", "R208", "Invoices",
            "Ap Invoice Api import failed with error message:  [{account}] is an invalid expense account.",
            "Sage requires an expense (GL) account on each distribution; 'control accounts' is on and none is set.",
            "Set up expense account {account} in Sage (General Ledger → Accounts) or the category's default cost "
            "account, or turn off control accounts in Sage, then press Retry.",
            retryable=True,
        ),
        # ERP CONNECTION
        _entry(
            "entity_not_found", "R209", "ERP connection",
            "Entity with this ID not found.",
            "A record Trestle refers to is not in Sage (deleted or never synced).",
            "{entity} {entity_id} was not found in Sage. {action}",
            retryable=True,
        ),
        _entry(
            "blank", "R210", "ERP connection",
            "Can't be blank.",
            "A required field is empty.",
            "Fill in {field} and send the item again. Trestle checks required fields at Send.",
            handling=(P, S),
        ),
        _entry(
            "jobs_sync_failed", "R211", "ERP connection",
            "We're sorry, an error occurred when attempting to sync your Jobs. Please contact your customer support "
            "rep for assistance.",
            "One job could not be read or written during the Jobs sync.",
            "Job {job}: {detail} The sync carried on with the other jobs; fix this job in Sage and run the Jobs sync "
            "again.",
            retryable=True,
        ),
        _entry(
            "rate_limited", "R212", "ERP connection",
            "Unknown Error => You have surpassed the max number of requests for an hour. Please wait until your limit "
            "resets.",
            "The ERP's hourly request limit was reached.",
            "Nothing to do: Trestle waits for the hourly limit to reset and retries by itself.",
            retryable=True, handling=(A,), transient=True,
        ),
        # PROJECTS
        _entry(
            "job_code_exists", "R213", "Projects",
            "A job with that code already exists.",
            "A job with the same code (ignoring punctuation) exists in Sage.",
            "Jobs are created in one system only and are never linked to an existing job. Reject the project, choose "
            "another Sage Job ID, and send it again.",
            handling=(P, S), means_exists=True,
        ),
        _entry(
            "name_too_long", "R214", "Projects",
            "[Name] is too long, maximum length is 30 characters.",
            "The name has more than 30 characters.",
            "Shorten the name to 30 characters or fewer (it has {length}).",
            handling=(P,),
        ),
        _entry(
            "city_too_long", "R215", "Projects",
            "[AddressCity] is too long, maximum length is 15 characters.",
            "The city has more than 15 characters.",
            "Shorten the city to 15 characters or fewer (it has {length}).",
            handling=(P,),
        ),
        _entry(
            "zip_too_long", "R216", "Projects",
            "[AddressZip] is too long, maximum length is 10 characters.",
            "The ZIP code has more than 10 characters.",
            "Shorten the ZIP code to 10 characters or fewer (it has {length}).",
            handling=(P,),
        ),
        _entry(
            "job_id_exists", "R217", "Projects",
            "A job already exists with the specified id.",
            "Job IDs are unique in Sage and this one is taken.",
            "Enter a Sage Job ID that is not used in Sage (Trestle checks it when you accept) and press Retry.",
            retryable=True, handling=(P, S), means_exists=True,
        ),
        # Beyond the seed's table
        _entry(
            "extra_id_exists", "-", "Projects",
            "An extra already exists with the specified id.",
            "Extra IDs are unique within their job in Sage and this one is taken.",
            "Enter a SubJob ID that job {job} does not use in Sage (Trestle checks it when you accept), or import the "
            "Sage extra into the project from ERP Integrations → Sub Jobs instead.",
            retryable=True, handling=(P, S), means_exists=True,
        ),
        _entry(
            "field_too_long", "-", "Limits",
            "[{label}] is too long, maximum length is {max_length} characters.",
            "A field is longer than Sage allows.",
            "Shorten {field} to {max_length} characters or fewer (it has {length}).",
            handling=(P,),
        ),
        _entry(
            "vendor_id_exists", "-", "Companies",
            "A vendor already exists with the specified id.",
            "The ERP Company ID entered at Accept is another vendor's ID in Sage.",
            "If the Sage vendor is this company, link it under ERP Integrations → Vendors instead. Otherwise enter an "
            "unused ERP Company ID and press Retry.",
            retryable=True, handling=(P, A, S), means_exists=True,
        ),
        _entry(
            "timeout", "-", "ERP connection",
            "The Import operation took longer than the set timeout.",
            "Sage did not answer in time; the write may or may not have happened.",
            "Nothing to do: Trestle retries with the same idempotency key, so a write that did happen is found and "
            "linked, never duplicated.",
            retryable=True, handling=(A,), transient=True,
        ),
        _entry(
            "unexpected_error", "-", "Trestle",
            "Trestle could not finish the export: {detail}",
            "Something other than the ERP's answer stopped the export: a lost database connection, a record changed "
            "or deleted while it was exporting, a bug.",
            "Press Retry. The retry goes on with the same key, so whatever the ERP already has is linked, never "
            "written twice; each try's error is listed under the item's export tries.",
            retryable=True, handling=(A, S), transient=True,
        ),
        _entry(
            "export_interrupted", "-", "Trestle",
            "The export was interrupted {tries} times before it could finish.",
            "The background worker stopped (restarted, killed or out of memory) in the middle of the export, again "
            "and again.",
            "Check that the background worker is running (make run starts it), then press Retry. The retry goes on "
            "with the same key, so whatever the ERP already has is linked, never written twice.",
            retryable=True, handling=(A, S),
        ),
        _entry(
            "item_deleted", "-", "Trestle",
            "The {label} was deleted while it was exporting.",
            "The item's row is gone from Trestle, so its ERP id cannot be recorded.",
            "Nothing to retry. If the ERP has the record (erp_reconcile lists it), delete it there or create the item "
            "again and link it.",
        ),
        _entry(
            "not_connected", "-", "ERP connection",
            "Trestle is not connected to Sage 300 CRE yet.",
            "Nobody has pressed Connect in the ERP settings, so Trestle does not know which ERP company it exports to.",
            "Ask a company admin to open ERP Integrations → ERP settings and press Connect to Sage 300 CRE.",
            handling=(P, S),
        ),
        # Job Cost entries (budgets, budget changes, cost forecasts): the estimate side of Sage.
        _entry(
            "jc_period_closed", "-", "Budgets",
            "GL period closed.  Entry not allowed. ({date}).",
            "Job Cost entries are not accepted, nor posted, in a closed GL period in Sage.",
            "Reopen the GL period of {date} in Sage (General Ledger periods), then press Retry; the retry resets the "
            "failed attempt itself.",
            retryable=True, handling=(S,),
        ),
        _entry(
            "transaction_reference_exists", "-", "Budgets",
            "{detail}",
            "Sage already holds Job Cost entries under this export's reference on the job: an earlier try wrote "
            "them and its answer was lost.",
            "Nothing to do: Trestle links the entries already in Sage instead of writing them again.",
            retryable=True, handling=(A,), means_exists=True,
        ),
        _entry(
            "invalid_format", "-", "Limits",
            "{detail}",
            "A value is not in the format Sage expects.",
            "{resolution}",
            handling=(P, S),
        ),
    ]
}


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def _fill(template: str, context: dict) -> str:
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    values = _Blank({key: value for key, value in context.items() if key in fields and value not in (None, "")})
    return template.format_map(values)


class ErpError(ApplicationError):
    """An error from (or about) the ERP, with the catalogue's message and resolution.

    Reaching the API or the admin it is a 503 when it passes by itself (Sage did not answer, its
    request limit) and a 409 otherwise, with its code, message and resolution — never a 500.
    """

    def __init__(self, code: str, /, *, message: str | None = None, retryable: bool | None = None,
                 override_resolution: str | None = None, **context):
        entry = CATALOGUE[code]
        self.entry = entry
        self.context = context
        self.resolution = override_resolution or _fill(entry.resolution, context)
        self.retryable = entry.retryable if retryable is None else retryable
        super().__init__(message or _fill(entry.message, context), code=code)

    @property
    def transient(self) -> bool:
        return self.entry.transient and self.retryable

    @property
    def status_code(self) -> int:  # type: ignore[override]
        return 503 if self.transient else 409

    def as_dict(self) -> dict:
        return {"code": self.code, "message": self.message, "resolution": self.resolution, "retryable": self.retryable}

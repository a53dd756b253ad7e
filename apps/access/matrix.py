"""The permission matrix: every action of the seed's permission table, in one place.

Each ``Action`` is one row of ``shared/PERMISSIONS.md`` (the seed's table decoded). Services,
admin and API all ask ``decide()`` / ``can()`` / ``require()`` here; nothing else decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from django.db import models

from apps.access.models import Level, Tool
from apps.erp.item_types import ItemType

if TYPE_CHECKING:
    from apps.access.profiles import AccessProfile
    from apps.projects.models import Project


class Action(models.TextChoices):
    ACCEPT_REJECT_COST_CODES = "accept_reject_cost_codes", "Accept or Reject Cost Codes for Export to ERP"
    ACCEPT_REJECT_OWNER_INVOICES = "accept_reject_owner_invoices", "Accept or Reject Owner Invoices for Export to ERP"
    ACCEPT_REJECT_SUBCONTRACTOR_INVOICES = (
        "accept_reject_subcontractor_invoices",
        "Accept or Reject Subcontractor Invoices for Export to ERP",
    )
    ACCEPT_REJECT_BUDGET = "accept_reject_budget", "Accept or Reject a Budget for Export to ERP"
    ACCEPT_REJECT_CCO = "accept_reject_cco", "Accept or Reject a CCO for Export to ERP"
    ACCEPT_REJECT_COMMITMENT = "accept_reject_commitment", "Accept or Reject a Commitment for Export to ERP"
    ACCEPT_REJECT_COMPANY = "accept_reject_company", "Accept or Reject a Company for Export to ERP"
    ACCEPT_REJECT_PCCO = "accept_reject_pcco", "Accept or Reject a PCCO for Export to ERP"
    ACCEPT_REJECT_PROJECT = "accept_reject_project", "Accept or Reject a Project for Export to ERP"
    ACCEPT_REJECT_SUB_JOB = "accept_reject_sub_job", "Accept or Reject a Sub Job for Export to ERP"
    ADD_PROJECT_TO_ERP = "add_project_to_erp", "Add a Project to your ERP System"
    ADD_ERP_COMPANY = "add_erp_company", "Add an ERP Company to the Company Directory"
    ADD_ERP_JOB = "add_erp_job", "Add an ERP Job (as a project)"
    ARCHIVE_ERP_COMPANY = "archive_erp_company", "Archive an ERP Company"
    ASSIGN_DEFAULT_COST_TYPES = "assign_default_cost_types", "Assign Default Cost Types to ERP Standard Cost Codes"
    CONFIGURE_ADVANCED_SETTINGS = "configure_advanced_settings", "Configure Advanced Settings: ERP Integrations"
    CONFIGURE_SYNC_SCHEDULE = "configure_sync_schedule", "Configure the Sync Schedule"
    ENABLE_DIRECT_EXPORT = "enable_direct_export", "Enable or Disable ERP Direct Exports"
    IMPORT_BUDGET = "import_budget", "Import a Budget from ERP"
    IMPORT_PRIME_CONTRACT = "import_prime_contract", "Import a Prime Contract from the ERP"
    IMPORT_ERP_SUB_JOB = "import_erp_sub_job", "Import an ERP Sub Job to a Project"
    LINK_ERP_COMPANIES = "link_erp_companies", "Link ERP Companies to Companies"
    REFRESH_COMPANIES = "refresh_companies", "Refresh the Companies List for ERP"
    REFRESH_PROJECT_COST_CODES = "refresh_project_cost_codes", "Refresh the Cost Codes on an ERP Integrated Project"
    SEND_RETRIEVE_RESEND = "send_retrieve_resend", "Send, Retrieve, or Resend Items to ERP Integrations"
    SYNC_JOB_COST_TRANSACTIONS = "sync_job_cost_transactions", "Sync Job Cost Transactions from the ERP"
    SYNC_PAID_INVOICES = "sync_paid_invoices", "Sync Paid Invoice Notifications from the ERP"
    UNLINK_CCO = "unlink_cco", "Unlink CCOs Synced with ERP"
    UNLINK_COMMITMENT = "unlink_commitment", "Unlink Commitments Synced with ERP"
    UNLINK_OWNER_INVOICE = "unlink_owner_invoice", "Unlink Owner Invoices Synced with ERP"
    UNLINK_PCCO = "unlink_pcco", "Unlink PCCOs Synced with ERP"
    UNLINK_SUBCONTRACTOR_INVOICE = "unlink_subcontractor_invoice", "Unlink Subcontractor Invoices Synced with ERP"
    UNLINK_COMPANY = "unlink_company", "Unlink a Company Synced with ERP"
    VIEW_SYNCED_SUB_JOBS = "view_synced_sub_jobs", "View a List of Synced Sub Jobs"
    VIEW_ACCOUNTANT_REPORT = "view_accountant_report", "View an Accountant Report for ERP"
    VIEW_JOB_COSTS_REPORT = "view_job_costs_report", "View an ERP Job Costs Report"
    VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT = "view_unsyncable_direct_costs_report", "View an ERP Unsyncable Direct Costs Report"
    VIEW_ARCHIVED_COMPANIES = "view_archived_companies", "View the Archived Companies List for ERP"


# Where each item type lives, for "Admin on the tool where the item is located" (P#25).
ITEM_TOOL: dict[ItemType, Tool] = {
    ItemType.COST_CODE: Tool.PROJECT_ADMIN,
    ItemType.OWNER_INVOICE: Tool.INVOICING,
    ItemType.SUBCONTRACTOR_INVOICE: Tool.INVOICING,
    ItemType.BUDGET: Tool.BUDGET,
    ItemType.COMMITMENT_CHANGE_ORDER: Tool.CHANGE_ORDERS,
    ItemType.COMMITMENT: Tool.COMMITMENTS,
    ItemType.COMPANY: Tool.DIRECTORY,
    ItemType.PRIME_CONTRACT_CHANGE_ORDER: Tool.PRIME_CONTRACTS,
    ItemType.PROJECT: Tool.PROJECT_ADMIN,
    ItemType.SUB_JOB: Tool.PROJECT_ADMIN,
}


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True)
class Extra:
    """A requirement beyond the ERP Integrations level, with the words that explain it."""

    check: Callable[["AccessProfile", "Project | None", "ItemType | None"], bool]
    description: str


@dataclass(frozen=True)
class Rule:
    row: int
    erp_level: Level | None  # minimum level on ERP Integrations; None = not needed (P#25, P#37)
    approver: bool = False  # also needs Can Push to Accounting (an accounting approver)
    item_type: ItemType | None = None  # the approver's per-type switch that applies
    switch: str = ""  # "export" or "import": which per-type switch applies
    extras: tuple[Extra, ...] = field(default_factory=tuple)


def _reports_and_budget_or_prime(profile: AccessProfile, project: Project | None, _item) -> bool:
    if project is None:
        return False
    return profile.level(Tool.REPORTS, project) >= Level.READ_ONLY and (
        profile.level(Tool.BUDGET, project) >= Level.ADMIN or profile.level(Tool.PRIME_CONTRACTS, project) >= Level.ADMIN
    )


def _job_costs_report_extra(profile: AccessProfile, project: Project | None, item) -> bool:
    # Company level: Admin on ERP Integrations is enough. Project level: also Reports + Budget/Prime (P#36).
    return project is None or _reports_and_budget_or_prime(profile, project, item)


def _directory_for_synced_sub_jobs(profile: AccessProfile, _project, _item) -> bool:
    directory = profile.level(Tool.DIRECTORY)
    return directory >= Level.ADMIN or (directory >= Level.STANDARD and profile.can_create_new_project)


def _admin_on_item_tool(profile: AccessProfile, project: Project | None, item_type: ItemType | None) -> bool:
    if item_type is None:
        return False
    tool = ITEM_TOOL[item_type]
    if tool in (Tool.DIRECTORY,):
        return profile.level(tool) >= Level.ADMIN
    return project is not None and profile.level(tool, project) >= Level.ADMIN


REPORTS_AND_BUDGET_OR_PRIME = Extra(
    _reports_and_budget_or_prime,
    "Read Only or above on the project's Reports tool and Admin on its Budget or Prime Contracts tool",
)

A = Level.ADMIN
S = Level.STANDARD


def _accept(row: int, item_type: ItemType) -> Rule:
    return Rule(row, A, approver=True, item_type=item_type, switch="export")


MATRIX: dict[Action, Rule] = {
    Action.ACCEPT_REJECT_COST_CODES: _accept(1, ItemType.COST_CODE),
    Action.ACCEPT_REJECT_OWNER_INVOICES: _accept(2, ItemType.OWNER_INVOICE),
    Action.ACCEPT_REJECT_SUBCONTRACTOR_INVOICES: _accept(3, ItemType.SUBCONTRACTOR_INVOICE),
    Action.ACCEPT_REJECT_BUDGET: _accept(4, ItemType.BUDGET),
    Action.ACCEPT_REJECT_CCO: _accept(5, ItemType.COMMITMENT_CHANGE_ORDER),
    Action.ACCEPT_REJECT_COMMITMENT: _accept(6, ItemType.COMMITMENT),
    Action.ACCEPT_REJECT_COMPANY: _accept(7, ItemType.COMPANY),
    Action.ACCEPT_REJECT_PCCO: _accept(8, ItemType.PRIME_CONTRACT_CHANGE_ORDER),
    Action.ACCEPT_REJECT_PROJECT: _accept(9, ItemType.PROJECT),
    Action.ACCEPT_REJECT_SUB_JOB: _accept(10, ItemType.SUB_JOB),
    Action.ADD_PROJECT_TO_ERP: Rule(11, S),
    Action.ADD_ERP_COMPANY: Rule(12, S, item_type=ItemType.COMPANY, switch="import"),
    Action.ADD_ERP_JOB: Rule(13, A, item_type=ItemType.PROJECT, switch="import"),
    Action.ARCHIVE_ERP_COMPANY: Rule(14, S),
    Action.ASSIGN_DEFAULT_COST_TYPES: Rule(15, S),
    Action.CONFIGURE_ADVANCED_SETTINGS: Rule(16, A),
    Action.CONFIGURE_SYNC_SCHEDULE: Rule(17, A),
    Action.ENABLE_DIRECT_EXPORT: Rule(18, A),
    Action.IMPORT_BUDGET: Rule(19, S),
    Action.IMPORT_PRIME_CONTRACT: Rule(20, S),
    Action.IMPORT_ERP_SUB_JOB: Rule(21, S, item_type=ItemType.SUB_JOB, switch="import"),
    Action.LINK_ERP_COMPANIES: Rule(22, A),
    Action.REFRESH_COMPANIES: Rule(23, A),
    Action.REFRESH_PROJECT_COST_CODES: Rule(24, A),
    Action.SEND_RETRIEVE_RESEND: Rule(
        25,
        None,
        extras=(Extra(_admin_on_item_tool, "Admin on the tool where the item lives"),),
    ),
    Action.SYNC_JOB_COST_TRANSACTIONS: Rule(26, A),
    Action.SYNC_PAID_INVOICES: Rule(27, A),
    Action.UNLINK_CCO: Rule(28, S),
    Action.UNLINK_COMMITMENT: Rule(29, S),
    Action.UNLINK_OWNER_INVOICE: Rule(30, S),
    Action.UNLINK_PCCO: Rule(31, S),
    Action.UNLINK_SUBCONTRACTOR_INVOICE: Rule(32, S),
    Action.UNLINK_COMPANY: Rule(33, S),
    Action.VIEW_SYNCED_SUB_JOBS: Rule(
        34,
        S,
        extras=(
            Extra(
                _directory_for_synced_sub_jobs,
                "Admin on the company Directory, or Standard on it with the Create New Project permission",
            ),
        ),
    ),
    Action.VIEW_ACCOUNTANT_REPORT: Rule(35, A),
    Action.VIEW_JOB_COSTS_REPORT: Rule(
        36,
        A,
        extras=(Extra(_job_costs_report_extra, REPORTS_AND_BUDGET_OR_PRIME.description + " (to view it on a project)"),),
    ),
    Action.VIEW_UNSYNCABLE_DIRECT_COSTS_REPORT: Rule(37, None, extras=(REPORTS_AND_BUDGET_OR_PRIME,)),
    Action.VIEW_ARCHIVED_COMPANIES: Rule(38, S),
}

assert len(MATRIX) == 38 and sorted(rule.row for rule in MATRIX.values()) == list(range(1, 39))


def decide(
    profile: AccessProfile, action: Action, *, project: Project | None = None, item_type: ItemType | None = None
) -> Decision:
    """Whether the holder of ``profile`` may take ``action``, and if not, what is missing."""
    if profile.is_superuser:
        return Decision(True)
    rule = MATRIX[Action(action)]
    item_type = item_type or rule.item_type
    missing: list[str] = []
    if rule.erp_level is not None and profile.level(Tool.ERP_INTEGRATIONS) < rule.erp_level:
        missing.append(f"{Level(rule.erp_level).label} on ERP Integrations")
    if rule.approver and not profile.is_accounting_approver:
        missing.append("the Can Push to Accounting privilege")
    if rule.switch and item_type is not None and not profile.item_type_allowed(item_type, rule.switch):
        missing.append(f"permission to {rule.switch} {ItemType(item_type).label.lower()}")
    for extra in rule.extras:
        if not extra.check(profile, project, item_type):
            missing.append(extra.description)
    if missing:
        return Decision(False, f"{Action(action).label} needs " + " and ".join(missing) + ".")
    return Decision(True)

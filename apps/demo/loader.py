"""Loading the demo: a Sage 300 CRE company on the Sage side, and a connected Trestle on the hub side.

Everything here is idempotent: running it again changes nothing that is already there. The Sage
side is entered "at the Sage desktop" (no API limits or injected faults), as an accountant would.
The hub side goes through the same services and syncs a user would use.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.access import services as access
from apps.access.models import Level, PermissionTemplate, UserAccess
from apps.companies.erp import vendor_add_as_company
from apps.companies.models import Company
from apps.companies.services import company_create
from apps.core.exceptions import ApplicationError
from apps.demo import data
from apps.demo.accounts import DEMO_ACCOUNTS
from apps.erp.item_types import ItemType
from apps.erp.models import StagedRecord, SyncRun
from apps.erp.schedules import ensure_schedules
from apps.erp.services import erp_connect, erp_send, erp_settings, erp_settings_save
from apps.erp.sync import sync_start
from apps.projects.erp import job_add_as_project
from apps.projects.models import Project
from apps.projects.services import project_create
from apps.sage300 import selectors as sage_selectors
from apps.sage300 import services as sage
from apps.sage300.faults import at_sage_desktop
from apps.sage300.import_files import CategoryImportRecord, CostCodeImportRecord, JobImportRecord
from apps.sage300.models import GLPeriod, StandardCategory, StandardCostCode, VendorInsurance
from apps.wbs.models import CostType as HubCostType
from apps.wbs.models import ProjectCostCode
from apps.wbs.models import StandardCostCode as HubStandardCostCode
from apps.wbs.services import project_cost_code_add_from_standard, project_cost_types_assign

# The integration was "connected" on this date; the demo's Trestle-only projects come after it.
CONNECTED_AT = datetime.datetime(2026, 1, 5, 9, 0, tzinfo=datetime.timezone.utc)
LINKED_JOB = "24-101"  # added to Trestle as a project during the demo set-up
LINKED_VENDORS = 12  # this many vendors are added as companies; the rest wait in Ready to Import


class DemoRefused(Exception):
    pass


# --- the Sage side ---------------------------------------------------------------------------------


# The demo's vendor types, as this Sage company labelled its four types in Custom Descriptions.
SAGE_VENDOR_TYPE = {"Equipment Rental": "Other", "Service": "Service provider"}


def _sage_status(status: str) -> str:
    return {"In progress": "In Progress"}.get(status, status)


def _estimate_records(job_id: str, cost_codes, *, extra: str) -> list:
    records = []
    for code in cost_codes:
        if code.extra != extra:
            continue
        records.append(CostCodeImportRecord(job=job_id, cost_code=code.code, description=code.description, extra=""))
        for estimate in code.categories:
            records.append(
                CategoryImportRecord(
                    job=job_id,
                    cost_code=code.code,
                    category=estimate.category,
                    original_estimate=Decimal(estimate.original_estimate),
                    original_estimate_units=Decimal(estimate.original_estimate_units),
                    cost_unit_description=estimate.unit_description[:4],
                )
            )
    return records


def seed_sage_company() -> dict[str, int]:
    created = {"cost codes": 0, "categories": 0, "vendors": 0, "jobs": 0}
    with at_sage_desktop():
        existing = set(StandardCategory.objects.values_list("category", flat=True))
        for code, description, accumulate_as in data.STANDARD_CATEGORIES:
            if code not in existing:
                sage.standard_category_create(category=code, description=description, accumulate_as=accumulate_as)
                created["categories"] += 1
        existing = set(StandardCostCode.objects.values_list("cost_code", flat=True))
        for code, description, _ in data.STANDARD_COST_CODES:
            if code not in existing:
                sage.standard_cost_code_create(cost_code=code, description=description)
                created["cost codes"] += 1
        for vendor in data.VENDORS:
            if sage_selectors.vendor_get(vendor=vendor.vendor_id) is None:
                sage.vendor_create(
                    vendor=vendor.vendor_id, name=vendor.name,
                    vendor_type=SAGE_VENDOR_TYPE.get(vendor.vendor_type, vendor.vendor_type),
                    address_1=vendor.address, city=vendor.city, state=vendor.state, zip_code=vendor.zip,
                    telephone=vendor.telephone, fax_number=vendor.fax,
                )
                created["vendors"] += 1
        have_insurance = set(VendorInsurance.objects.values_list("vendor_id", "insurance_type"))
        for policy in data.VENDOR_INSURANCE:
            if (policy.vendor_id, policy.insurance_type) not in have_insurance:
                sage.vendor_insurance_set(
                    vendor=policy.vendor_id, insurance_type=policy.insurance_type, policy_number=policy.policy_number,
                    insurance_company=policy.insurance_company, limit=Decimal(policy.limit),
                    effective_date=policy.effective_date, expiration_date=policy.expiration_date,
                )
        for vendor in data.VENDORS:
            if vendor.inactive and not sage_selectors.vendor_get(vendor=vendor.vendor_id).inactive:
                sage.vendor_inactivate(vendor=vendor.vendor_id)
        for job in data.JOBS:
            if sage_selectors.job_get(job=job.job_id) is not None:
                continue
            header = JobImportRecord(
                job=job.job_id, description=job.name, status=_sage_status(job.status), address_1=job.address,
                city=job.city, state=job.state, zip_code=job.zip, billing_method=job.billing_method,
                billing_level=job.billing_level,
            )
            sage.job_import(records=[header, *_estimate_records(job.job_id, job.cost_codes, extra="")])
            for extra in job.extras:
                sage.extra_create(
                    job=job.job_id, extra=extra.extra, description=extra.description,
                    records=_estimate_records(job.job_id, job.cost_codes, extra=extra.extra),
                )
            created["jobs"] += 1
        sage.gl_periods_ensure(fiscal_year=data.FISCAL_YEAR)
        for fiscal_year, period in data.CLOSED_GL_PERIODS:
            found = GLPeriod.objects.get(fiscal_year=fiscal_year, period=period)
            if found.status != "Closed":
                sage.gl_period_close(fiscal_year=fiscal_year, period=period)
    return created


# --- the hub side ---------------------------------------------------------------------------------

COMPANY_TEMPLATES = {
    "company_admin": dict(erp_integrations=Level.ADMIN, directory=Level.ADMIN, company_admin=Level.ADMIN,
                          can_create_new_project=True),
    "accounting_approver": dict(erp_integrations=Level.ADMIN, directory=Level.STANDARD),
    "project_manager": dict(erp_integrations=Level.STANDARD, directory=Level.STANDARD, company_admin=Level.STANDARD,
                            can_create_new_project=True),
    "read_only": dict(erp_integrations=Level.READ_ONLY, directory=Level.READ_ONLY),
}
PROJECT_TEMPLATES = {
    "Project Manager": dict(budget=Level.ADMIN, commitments=Level.ADMIN, change_orders=Level.ADMIN,
                            prime_contracts=Level.ADMIN, invoicing=Level.ADMIN, direct_costs=Level.ADMIN,
                            reports=Level.ADMIN, project_admin=Level.ADMIN, view_direct_cost_details=True,
                            assign_to_project_creator=True),
    "Read Only": dict(budget=Level.READ_ONLY, commitments=Level.READ_ONLY, change_orders=Level.READ_ONLY,
                      prime_contracts=Level.READ_ONLY, invoicing=Level.READ_ONLY, direct_costs=Level.READ_ONLY,
                      reports=Level.READ_ONLY, project_admin=Level.READ_ONLY),
}
COMPANY_TEMPLATE_NAMES = {
    "company_admin": "Company Admin",
    "accounting_approver": "Accounting Approver",
    "project_manager": "Project Manager (company)",
    "read_only": "Read Only (company)",
}
ROLE_OF = {"admin": "company_admin", "approver": "accounting_approver", "pm": "project_manager", "viewer": "read_only"}


def _template(name: str, scope: str, levels: dict) -> PermissionTemplate:
    template = PermissionTemplate.objects.filter(name=name).first()
    if template is None:
        template = access.permission_template_save(template=PermissionTemplate(name=name, scope=scope, **levels))
    return template


def seed_templates() -> dict[str, PermissionTemplate]:
    """The demo's permission templates; returns the company templates by role."""
    for name, levels in PROJECT_TEMPLATES.items():
        _template(name, PermissionTemplate.Scope.PROJECT, levels)
    return {
        role: _template(COMPANY_TEMPLATE_NAMES[role], PermissionTemplate.Scope.COMPANY, levels)
        for role, levels in COMPANY_TEMPLATES.items()
    }


def seed_users() -> list[str]:
    if settings.PRODUCTION:
        raise DemoRefused("Production mode is on (TRESTLE_PRODUCTION): demo users with a known password are not created.")
    User = get_user_model()
    company_templates = seed_templates()
    created = []
    for account in DEMO_ACCOUNTS:
        user, was_created = User.objects.get_or_create(
            username=account.username,
            defaults={"first_name": account.first_name, "last_name": account.last_name, "is_staff": True,
                      "email": f"{account.username}@demo.trestle.invalid"},
        )
        if was_created:
            user.set_password(settings.DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created.append(account.username)
        role = ROLE_OF[account.username]
        if not UserAccess.objects.filter(user=user).exists():
            access.user_access_set(
                user=user, company_template=company_templates[role],
                can_push_to_accounting=role in ("company_admin", "accounting_approver"),
            )
    return created


def _memberships() -> None:
    User = get_user_model()
    project_manager = PermissionTemplate.objects.get(name="Project Manager")
    read_only = PermissionTemplate.objects.get(name="Read Only")
    for project in Project.objects.all():
        for username, template in (("admin", project_manager), ("pm", project_manager), ("viewer", read_only),
                                   ("approver", read_only)):
            user = User.objects.filter(username=username).first()
            if user is not None and not project.memberships.filter(user=user).exists():
                access.project_membership_set(user=user, project=project, template=template)


def seed_hub() -> None:
    if erp_settings().connected_at is None:
        erp_connect(actor=None, now=CONNECTED_AT)  # asks the Sage company (seeded above) for its name
        erp_settings_save(options={"vendor_insurance_sync": True}, actor=None)
    for dataset in ("cost-codes", "vendors", "jobs"):
        sync_start(dataset=dataset, trigger=SyncRun.Trigger.COMMAND, run_inline=True)

    # Companies: some vendors added from Sage, some companies that exist only in Trestle.
    waiting = StagedRecord.objects.filter(kind="vendor", status="staged").order_by("origin_id")
    for staged in waiting[: max(0, LINKED_VENDORS - Company.objects.filter(erp_company_id__isnull=False).count())]:
        vendor_add_as_company(staged=staged, actor=None)
    for hub_company in data.HUB_ONLY_COMPANIES:
        if not Company.objects.filter(name=hub_company.name).exists():
            company_create(name=hub_company.name, address=hub_company.address, city=hub_company.city,
                           state=hub_company.state, zip=hub_company.zip, business_phone=hub_company.business_phone)

    # One Sage job added as a project (with its extras as sub jobs and its cost codes).
    staged_job = StagedRecord.objects.filter(kind="job", origin_id=LINKED_JOB, status="staged").first()
    if staged_job is not None:
        job_add_as_project(staged=staged_job, actor=None)
    sync_start(dataset="sub-jobs", trigger=SyncRun.Trigger.COMMAND, run_inline=True)
    sync_start(dataset="vendors", trigger=SyncRun.Trigger.COMMAND, run_inline=True)  # insurance of linked companies

    # Projects that exist only in Trestle: one sent to ERP (waiting for the approver), one with a too-long city.
    for demo_project in data.HUB_PROJECTS:
        if Project.objects.filter(number=demo_project.number).exists():
            continue
        project = project_create(number=demo_project.number, name=demo_project.name, address=demo_project.address,
                                 city=demo_project.city, state=demo_project.state, zip=demo_project.zip)
        for code in ("01-100", "01-500", "03-300", "09-250"):
            standard = HubStandardCostCode.objects.filter(code=code, cost_code_list__source="erp").first()
            if standard is not None and not ProjectCostCode.objects.filter(project=project, code=code).exists():
                project_cost_code_add_from_standard(project=project, standard_cost_code=standard)
    _memberships()
    pm = get_user_model().objects.filter(username="pm").first()
    ready = Project.objects.filter(number=data.HUB_PROJECTS[0].number, erp_status="not_in_erp").first()
    if ready is not None and pm is not None:
        try:
            erp_send(item_type=ItemType.PROJECT, obj=ready, actor=pm)
        except ApplicationError:
            pass


def seed_budgets() -> None:
    """A budget on each demo project named in ``budget_lines.csv`` (safe to run again: nothing is added twice),
    and on the synced job one approved transfer between two of its lines."""
    from apps.budgets.models import Budget, BudgetLine
    from apps.budgets.services import budget_change_create, budget_get_or_create, budget_line_create
    from apps.wbs.models import ProjectCostType

    for row in data.BUDGET_LINES:
        project = Project.objects.filter(number=row["project"]).first()
        cost_type = ProjectCostType.objects.filter(
            project_cost_code__project=project, project_cost_code__code=row["cost_code"],
            cost_type__code=row["cost_type"],
        ).first()
        if project is None:
            continue
        if cost_type is None:  # the code is on the project without that cost type yet: assign it, as a PM would
            code = ProjectCostCode.objects.filter(project=project, code=row["cost_code"]).first()
            hub_type = HubCostType.objects.filter(code=row["cost_type"]).first()
            if code is None or hub_type is None:
                continue
            project_cost_types_assign(project_cost_code=code, cost_types=[hub_type])
            cost_type = ProjectCostType.objects.get(project_cost_code=code, cost_type=hub_type)
        budget = budget_get_or_create(project=project)
        if BudgetLine.objects.filter(budget=budget, project_cost_type=cost_type).exists():
            continue
        budget_line_create(budget=budget, project_cost_type=cost_type, data={
            "original_amount": row["original_budget"],
            "estimated_cost_at_completion": row["estimated_cost_at_completion"] or None,
            "forecast_to_complete": row["forecast_to_complete"] or None,
            "unit_qty": row["units"] or None,
            "unit_of_measure": row["unit_of_measure"],
        })
    budget = Budget.objects.filter(project__number=LINKED_JOB).first()
    if budget is not None and not budget.changes.exists():
        lines = {(line.project_cost_type.project_cost_code.code, line.project_cost_type.cost_type.code): line
                 for line in budget.lines.select_related("project_cost_type__project_cost_code",
                                                         "project_cost_type__cost_type")}
        source, target = lines.get(("01-110", "L")), lines.get(("01-100", "L"))
        if source is not None and target is not None and source.is_on_sage and target.is_on_sage:
            budget_change_create(
                budget=budget, description="Move project management hours to supervision",
                kind="transfer", date=CONNECTED_AT.date(), lines=[(source, "-3000.00"), (target, "3000.00")],
            )


def seed_demo() -> dict:
    """Load everything; in production mode the demo users (known password) are refused, the data is not."""
    sage_created = seed_sage_company()
    seed_templates()
    users, refused = [], ""
    try:
        users = seed_users()
    except DemoRefused as refusal:
        refused = str(refusal)
    seed_hub()
    seed_budgets()
    ensure_schedules()
    return {"sage": sage_created, "users": users, "users_refused": refused, "at": timezone.now()}

"""The datasets pulled from the ERP: cost codes, vendors, jobs, sub jobs (DESIGN §6, R13).

Each dataset reads one page from the connector and writes it in bulk. Vendors, jobs and extras
land in Ready to Import (``StagedRecord``); records already linked to Trestle objects are kept
in step there (and, for vendors, on the linked company when the settings say so).
"""

from __future__ import annotations

from dataclasses import asdict, fields

from django.utils import timezone

from apps.access.matrix import Action
from apps.companies.models import Company, CompanyInsurance
from apps.erp.models import Dataset, StagedRecord
from apps.erp.records import Page, VendorRecord
from apps.erp.sync import DatasetSpec, PageOutcome, register_dataset, stage_records
from apps.projects.models import Project, SubJob
from apps.wbs.services import RowsInvalid, cost_code_list_get_or_create_erp, cost_types_upsert, standard_cost_codes_upsert

# --- standard cost codes and cost types --------------------------------------------------------


def _cost_codes_read(connector, cursor: str | None) -> Page:
    # Cost types first (cost codes' default types refer to them), then cost codes.
    phase, _, inner = (cursor or "types:").partition(":")
    if phase == "types":
        page = connector.cost_types(cursor=inner or None)
        return Page(page.records, f"types:{page.next_cursor}" if page.next_cursor else "codes:")
    page = connector.standard_cost_codes(cursor=inner or None)
    return Page(page.records, f"codes:{page.next_cursor}" if page.next_cursor else None)


def _upsert_skipping_bad_rows(upsert, rows: list[dict], outcome: PageOutcome, **kwargs) -> None:
    """Write the good rows; count and explain each bad one (one bad record never stops a sync)."""
    try:
        counts = upsert(rows=rows, **kwargs)
    except RowsInvalid as invalid:
        for number, errors in sorted(invalid.row_errors.items()):
            field, messages = next(iter(errors.items()))
            outcome.fail(rows[number - 1].get("code", "?"), f"{field}: {messages[0]}", "Correct it in Sage 300 CRE.")
        good = [row for number, row in enumerate(rows, 1) if number not in invalid.row_errors]
        counts = upsert(rows=good, **kwargs) if good else None
    if counts is not None:
        outcome.created += counts.created
        outcome.updated += counts.updated
        outcome.unchanged += counts.unchanged


def _cost_codes_write(records, run) -> PageOutcome:
    outcome = PageOutcome()
    now = timezone.now()
    types = [{"code": r.code, "description": r.description} for r in records if not hasattr(r, "is_summary")]
    codes = [r for r in records if hasattr(r, "is_summary")]
    if types:
        _upsert_skipping_bad_rows(cost_types_upsert, types, outcome, synced_at=now)
    if codes:
        usable = [{"code": r.code, "description": r.description} for r in codes if not r.is_summary]
        outcome.skipped += len(codes) - len(usable)  # summary (group) codes take no costs
        if usable:
            _upsert_skipping_bad_rows(
                standard_cost_codes_upsert, usable, outcome, cost_code_list=cost_code_list_get_or_create_erp(), synced_at=now
            )
    return outcome


# --- vendors -----------------------------------------------------------------------------------

VENDOR_AUTO_UPDATE_FIELDS = {  # Sage field → company field (R19, DECISIONS A16)
    "address": "address",
    "city": "city",
    "state": "state",
    "zip": "zip",
    "telephone": "business_phone",
    "fax": "business_fax",
}
INSURANCE_TYPES = {
    "General Liability": CompanyInsurance.InsuranceType.GENERAL_LIABILITY,
    "Automobile": CompanyInsurance.InsuranceType.AUTOMOBILE,
    "Umbrella": CompanyInsurance.InsuranceType.UMBRELLA,
    "Worker's": CompanyInsurance.InsuranceType.WORKERS,
}


VENDOR_DATA_FIELDS = [f.name for f in fields(VendorRecord) if f.name != "insurance"]
SYNC_PAGE_SIZE = 2000


def _vendor_data(record) -> dict:
    # A flat dict by hand: dataclasses.asdict deep-copies and costs seconds on 50,000 vendors.
    return {name: getattr(record, name) for name in VENDOR_DATA_FIELDS}


def _vendors_read(connector, cursor: str | None) -> Page:
    return connector.vendors(cursor=cursor, limit=SYNC_PAGE_SIZE)


def _vendors_write(records, run) -> PageOutcome:
    from apps.erp.services import erp_settings

    settings_row = erp_settings()
    companies = {c.erp_company_id: c for c in Company.objects.filter(erp_company_id__any_of=[r.vendor_id for r in records])}
    outcome = stage_records(
        kind=StagedRecord.Kind.VENDOR,
        items=[("", r.vendor_id, r.name, _vendor_data(r)) for r in records],
        linked={("", vendor_id): company.pk for vendor_id, company in companies.items()},
    )
    now = timezone.now()
    changed_companies, changed_fields = [], {"erp_inactive"}
    for record in records:
        company = companies.get(record.vendor_id)
        if company is None:
            continue
        changes = {"erp_inactive": record.inactive} if company.erp_inactive != record.inactive else {}
        if settings_row.vendors_auto_update:
            for source, target in VENDOR_AUTO_UPDATE_FIELDS.items():
                value = getattr(record, source) or ""
                if getattr(company, target) != value:
                    changes[target] = value
        if changes:
            for name, value in changes.items():
                setattr(company, name, value)
            company.updated_at = now
            changed_fields.update(changes)
            changed_companies.append(company)
    if changed_companies:
        Company.objects.bulk_update(changed_companies, [*changed_fields, "updated_at"], batch_size=1000)
    if settings_row.vendor_insurance_sync:
        _insurance_write([r for r in records if r.vendor_id in companies], companies)
    return outcome


def _insurance_write(records, companies: dict[str, Company]) -> None:
    """Insurance of linked companies only (R62), one policy per Sage default type (R63)."""
    wanted = {}
    for record in records:
        for policy in record.insurance:
            kind = INSURANCE_TYPES.get(policy.insurance_type)
            if kind is None:
                continue
            wanted[(companies[record.vendor_id].pk, kind)] = policy
    if not wanted:
        return
    existing = {
        (row.company_id, row.insurance_type): row
        for row in CompanyInsurance.objects.filter(company_id__in={company_id for company_id, _ in wanted})
    }
    fields = ["policy_number", "insurance_provider", "limit_amount", "effective_date", "expiration_date"]
    to_create, to_update = [], []
    for (company_id, kind), policy in wanted.items():
        values = dict(
            policy_number=policy.policy_number,
            insurance_provider=policy.insurance_company,
            limit_amount=policy.limit,
            effective_date=policy.effective_date,
            expiration_date=policy.expiration_date,
        )
        row = existing.get((company_id, kind))
        if row is None:
            to_create.append(CompanyInsurance(company_id=company_id, insurance_type=kind, imported_from_erp=True, **values))
        elif any(getattr(row, name) != value for name, value in values.items()) or not row.imported_from_erp:
            for name, value in values.items():
                setattr(row, name, value)
            row.imported_from_erp = True
            row.updated_at = timezone.now()
            to_update.append(row)
    CompanyInsurance.objects.bulk_create(to_create)
    CompanyInsurance.objects.bulk_update(to_update, [*fields, "imported_from_erp", "updated_at"])


# --- jobs and extras -----------------------------------------------------------------------------


def _jobs_read(connector, cursor: str | None) -> Page:
    return connector.jobs(cursor=cursor, limit=SYNC_PAGE_SIZE)


def _jobs_write(records, run) -> PageOutcome:
    projects = dict(
        Project.objects.filter(sage_job_id__in=[r.job_id for r in records]).values_list("sage_job_id", "pk")
    )
    return stage_records(
        kind=StagedRecord.Kind.JOB,
        items=[("", r.job_id, r.name, asdict(r)) for r in records],
        linked={("", job_id): pk for job_id, pk in projects.items()},
    )


def _extras_read(connector, cursor: str | None) -> Page:
    return connector.extras(cursor=cursor, limit=SYNC_PAGE_SIZE)


def _extras_write(records, run) -> PageOutcome:
    from apps.erp.services import erp_settings

    if not erp_settings().import_extras_as_sub_jobs:
        outcome = PageOutcome()
        outcome.skipped = len(records)
        return outcome
    linked_rows = SubJob.objects.filter(
        project__sage_job_id__in={r.job_id for r in records}, sage_extra_id__isnull=False
    ).values_list("project__sage_job_id", "sage_extra_id", "pk")
    return stage_records(
        kind=StagedRecord.Kind.EXTRA,
        items=[(r.job_id, r.extra, r.description, asdict(r)) for r in records],
        linked={(job_id, extra): pk for job_id, extra, pk in linked_rows},
    )


register_dataset(DatasetSpec(Dataset.COST_CODES, Action.ASSIGN_DEFAULT_COST_TYPES, _cost_codes_read, _cost_codes_write))
register_dataset(DatasetSpec(Dataset.VENDORS, Action.REFRESH_COMPANIES, _vendors_read, _vendors_write))
register_dataset(DatasetSpec(Dataset.JOBS, Action.ADD_ERP_JOB, _jobs_read, _jobs_write))
register_dataset(DatasetSpec(Dataset.SUB_JOBS, Action.IMPORT_ERP_SUB_JOB, _extras_read, _extras_write))

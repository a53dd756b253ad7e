"""Companies on the ERP side: Create and Sync Vendors (seed workflow 7), in both directions.

Trestle → Sage: the approver enters the ERP Company ID (the Sage vendor id) at Accept (R59); if
Sage already has that vendor and it is this company (same name), the two are linked instead of
failing. Sage → Trestle: the Vendors dataset stages every vendor in Ready to Import, keeps linked
companies' inactive flag (and, with the setting on, their address and phone) in step — with a line
in each company's change history — and imports insurance for linked companies (R62, R63).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from apps.access.checks import require
from apps.access.rules import Operation, Resource, allowed
from apps.access.matrix import Action
from apps.companies.models import Company, CompanyInsurance, VendorType
from apps.companies.services import company_create, company_delete, company_update
from apps.core.bulk import upsert
from apps.core.exceptions import Conflict, ValidationFailed
from apps.erp.connector import get_connector
from apps.erp.item_types import ItemType
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import StagedRecord
from apps.erp.reconcile import MISSING, Kind, ReconcileReport, get_all, label_of
from apps.erp.records import VendorExport, VendorRecord
from apps.erp.registry import (
    AcceptField,
    DatasetSpec,
    ErpDocument,
    ImportAction,
    ReconcileCheck,
    SendContext,
    SettingSpec,
    Step,
    register,
    register_dataset,
    register_reconcile,
    register_setting,
)
from apps.erp.services import erp_link, erp_option
from apps.erp.staging import staged_record_imported, staged_record_lock_waiting
from apps.erp.sync import PageOutcome, stage_records

VENDORS, VENDOR = "vendors", "vendor"
SYNC_PAGE_SIZE = 2000
VENDOR_TYPES = tuple(VendorType.values)
AUTO_UPDATE = register_setting(SettingSpec(
    "vendors_auto_update", "Vendors will be automatically updated",
    help_text="At every vendor sync, Sage's address, city, state, ZIP, telephone and fax overwrite the linked "
    "company's. Off: Trestle keeps its own (Sage's address is the billing address).",
))
INSURANCE_SYNC = register_setting(SettingSpec(
    "vendor_insurance_sync", "Vendor Insurance Sync", help_text="Import vendor insurance for linked companies.",
))
AUTO_UPDATE_FIELDS = {  # Sage field → company field (R19, DECISIONS A16)
    "address": "address",
    "city": "city",
    "state": "state",
    "zip": "zip",
    "telephone": "business_phone",
    "fax": "business_fax",
}
AUTO_UPDATE_WORDS = {"address": "address", "city": "city", "state": "state", "zip": "ZIP", "telephone": "telephone",
                     "fax": "fax"}
INSURANCE_TYPES = {
    "General Liability": CompanyInsurance.InsuranceType.GENERAL_LIABILITY,
    "Automobile": CompanyInsurance.InsuranceType.AUTOMOBILE,
    "Umbrella": CompanyInsurance.InsuranceType.UMBRELLA,
    "Worker's": CompanyInsurance.InsuranceType.WORKERS,
}
VENDOR_DATA_FIELDS = ("vendor_id", "name", "address", "city", "state", "zip", "telephone", "fax", "inactive",
                      "vendor_type", "address_2")
SYNC_CHANGE_REASON = "Vendors sync from Sage 300 CRE"


# --- Ready to Import: Sage vendors -----------------------------------------------------------------

_NAME_NOISE = re.compile(r"\b(inc|llc|co|corp|corporation|company|ltd|the)\b|[^a-z0-9 ]")


def normalised_name(name: str) -> str:
    return " ".join(_NAME_NOISE.sub(" ", name.lower()).split())


SAME_NAME, VERY_SIMILAR, SIMILAR = "Same name", "Very similar name", "Similar name"
SUGGESTION_CANDIDATES = 2000  # companies read to suggest matches for one page of vendors, at most
SEARCH_LIMIT = 20


@dataclass(frozen=True)
class SuggestedMatch:
    company: Company
    score: float

    @property
    def reason(self) -> str:
        """Why it is suggested, in words (not a raw score)."""
        if self.score >= 1:
            return SAME_NAME
        return VERY_SIMILAR if self.score >= 0.85 else SIMILAR

    @property
    def label(self) -> str:
        return f"{_company_label(self.company)} — {self.reason.lower()}"


def _company_label(company: Company) -> str:
    return f"{company.name} ({company.city})" if company.city else company.name


def _linkable_companies():
    """The companies a Sage vendor may be linked to: not linked to a vendor yet, not archived."""
    return Company.objects.filter(erp_company_id__isnull=True, is_archived=False)


def _key_word(name: str) -> str:
    """The word of a name that finds its look-alikes: its first real word (``brightline`` of "The Brightline …")."""
    words = normalised_name(name).split()
    return words[0] if words else ""


def _starting_with(word: str) -> Q:
    """Names that start with ``word`` as people write it (acme, Acme, ACME; "The Acme …"): prefix lookups that
    the name's index answers, where a search inside every name would read the whole directory."""
    query = Q()
    for written in {word, word.capitalize(), word.upper()}:
        query |= Q(name__startswith=written)
    return query | Q(name__startswith=f"The {word.capitalize()}")


def vendor_suggestions(staged_rows, *, limit: int = 3) -> dict[int, list[SuggestedMatch]]:
    """Suggested companies for each staged vendor, best first, for a page of rows in one query.

    Only companies whose name starts with the same word are compared (found through the name's index, not
    by reading every company), so a page costs about the same with 100 or 100,000 companies. A company named
    differently (a renamed firm, a DBA) is found with the row's search instead.
    """
    keys = {row.pk: (normalised_name(row.name), _key_word(row.name)) for row in staged_rows}
    words = sorted({word for _, word in keys.values() if word})
    if not words:
        return {pk: [] for pk in keys}
    query = Q()
    for word in words:
        query |= _starting_with(word)
    by_word: dict[str, list[tuple[Company, str]]] = {}
    for company in _linkable_companies().filter(query).only("pk", "name", "city").order_by("name", "pk")[
        :SUGGESTION_CANDIDATES
    ]:
        name = normalised_name(company.name)
        by_word.setdefault(_key_word(company.name), []).append((company, name))
    suggestions = {}
    for pk, (target, word) in keys.items():
        scored = []
        for company, name in by_word.get(word, []) if word else ():
            score = 1.0 if name == target else difflib.SequenceMatcher(None, target, name).ratio()
            if score >= 0.6:
                scored.append(SuggestedMatch(company, round(score, 2)))
        suggestions[pk] = sorted(scored, key=lambda match: (-match.score, match.company.name))[:limit]
    return suggestions


def vendor_suggested_matches(*, staged: StagedRecord, limit: int = 3) -> list[SuggestedMatch]:
    """Unlinked, unarchived companies whose names look like the vendor's, best first."""
    return vendor_suggestions([staged], limit=limit)[staged.pk]


def _vendor_targets(staged_rows) -> dict[int, list[tuple[int, str]]]:
    return {
        pk: [(match.company.pk, match.label) for match in matches]
        for pk, matches in vendor_suggestions(staged_rows).items()
    }


def vendor_link_search(text: str, limit: int = SEARCH_LIMIT) -> list[tuple[int, str]]:
    """Every company a vendor can be linked to whose name contains ``text`` (a renamed firm, a DBA)."""
    text = " ".join(text.split())
    if len(text) < 2:
        return []
    found = _linkable_companies().filter(name__icontains=text).only("pk", "name", "city").order_by("name", "pk")
    return [(company.pk, _company_label(company)) for company in found[:limit]]


@transaction.atomic
def vendor_add_as_company(*, staged: StagedRecord, actor, target=None) -> Company:
    """Add an ERP vendor to the directory as a new company, linked to it (P#12)."""
    if actor is not None:
        require(actor, Action.ADD_ERP_COMPANY)
    staged = staged_record_lock_waiting(staged, VENDOR)
    if Company.objects.filter(erp_company_id=staged.origin_id).exists():
        raise Conflict(f"A company is already linked to vendor {staged.origin_id}.", code="already_linked")
    data = staged.data
    company = company_create(
        name=data["name"],
        address=data.get("address", ""),
        city=data.get("city", ""),
        state=data.get("state", ""),
        zip=data.get("zip", ""),
        business_phone=data.get("telephone", ""),
        business_fax=data.get("fax", ""),
        # Sage's type; one this ERP names differently is kept as Other rather than refusing the vendor.
        erp_vendor_type=VendorType.matching(data.get("vendor_type")) or ("Other" if data.get("vendor_type") else ""),
    )
    company.erp_inactive = bool(data.get("inactive"))
    company.save(update_fields=["erp_inactive", "updated_at"])
    erp_link(item_type=ItemType.COMPANY, obj=company, erp_id=staged.origin_id, actor=actor, imported=True)
    staged_record_imported(staged, company.pk)
    return Company.objects.get(pk=company.pk)


@transaction.atomic
def vendor_link_to_company(*, staged: StagedRecord, company: Company | None = None, actor, target=None) -> Company:
    """Link an ERP vendor to a company already in the directory (P#22). Trestle's fields are kept."""
    if actor is not None:
        require(actor, Action.LINK_ERP_COMPANIES)
    company = company or target
    if company is None:
        raise ValidationFailed({"company": "Choose the company to link this vendor to."})
    staged = staged_record_lock_waiting(staged, VENDOR)
    company = Company.objects.select_for_update().get(pk=company.pk)
    if company.erp_company_id:
        raise Conflict(
            f"{company} is already linked to vendor {company.erp_company_id}; unlink it first.", code="already_linked"
        )
    if company.is_archived:
        raise Conflict(f"{company} is archived; unarchive it before linking.", code="company_archived")
    if company.erp_status != ErpStatus.NOT_IN_ERP:
        raise Conflict(
            f"{company} is {company.get_erp_status_display().lower()} in ERP Integrations; retrieve or reject it "
            "before linking it to a Sage vendor.",
            code="company_in_erp_workflow",
        )
    company.erp_inactive = bool(staged.data.get("inactive"))
    company.save(update_fields=["erp_inactive", "updated_at"])
    erp_link(item_type=ItemType.COMPANY, obj=company, erp_id=staged.origin_id, actor=actor)
    staged_record_imported(staged, company.pk)
    return Company.objects.get(pk=company.pk)


@transaction.atomic
def company_link_vendor(*, company: Company, vendor_id: str, actor=None, checked: bool = False) -> Company:
    """Link a company to a Sage vendor named by an import file's ERP Company ID: Sage must have it.

    ``checked``: the caller has already asked Sage for this vendor (an import asks once for its whole file).
    """
    vendor_id = vendor_id.strip().upper()
    if not checked:
        (found,) = get_connector().find_written([VendorExport(vendor_id, company.name, "", "", "", "", "", "")])
        if found is None:
            raise ValidationFailed({"erp_company_id": (
                f"Sage 300 CRE has no vendor {vendor_id}. Leave the ERP Company ID empty and send the company to "
                "Sage, or correct the ID."
            )}, code="vendor_not_found")
    erp_link(item_type=ItemType.COMPANY, obj=company, erp_id=vendor_id, actor=actor, data={"source": "import"})
    staged = StagedRecord.objects.filter(kind=VENDOR, parent_origin_id="", origin_id=vendor_id).first()
    if staged is not None and staged.status == StagedRecord.Status.STAGED:
        staged_record_imported(staged, company.pk)
    return Company.objects.get(pk=company.pk)


# --- the document -----------------------------------------------------------------------------------


@register
class CompanyDocument(ErpDocument):
    item_type = ItemType.COMPANY
    model = Company
    label = "company"
    erp_id_field = "erp_company_id"
    erp_id_label = "ERP Company ID"
    send_action = Action.SEND_RETRIEVE_RESEND
    accept_action = Action.ACCEPT_REJECT_COMPANY
    unlink_action = Action.UNLINK_COMPANY
    links_identical = True
    accept_fields = (
        AcceptField("erp_company_id", "ERP Company ID", limit=(VendorExport, "vendor_id"), identifies=True, upper=True),
        AcceptField("vendor_type", "Vendor type", default=lambda c: c.erp_vendor_type or "Subcontractor",
                    choices=VENDOR_TYPES),
    )
    field_limits = {
        "name": (VendorExport, "name"), "address": (VendorExport, "address"), "city": (VendorExport, "city"),
        "state": (VendorExport, "state"), "zip": (VendorExport, "zip"), "business_phone": (VendorExport, "telephone"),
        "business_fax": (VendorExport, "fax"),
    }
    locked_fields = ("name",)
    search_fields = ("name", "erp_company_id")
    api_basename = "company"
    tab_key, tab_label, tab_order = "vendors", "Vendors", 30
    staged_kind = VENDOR
    dataset = VENDORS
    import_actions = (
        ImportAction("add", "Add as new companies", Action.ADD_ERP_COMPANY, vendor_add_as_company),
        ImportAction("link", "Link to the chosen companies", Action.LINK_ERP_COMPANIES, vendor_link_to_company,
                     targets=_vendor_targets, target_label="Link to existing company", search=vendor_link_search),
    )
    archive_action = Action.ARCHIVE_ERP_COMPANY
    view_archived_action = Action.VIEW_ARCHIVED_COMPANIES

    def visible(self, queryset, user):
        """The directory is company-wide: every company, for whoever may see the directory at all."""
        return queryset if allowed(user, Resource.COMPANY, Operation.VIEW) else queryset.none()

    def describe(self, obj: Company) -> str:
        return obj.name

    def prerequisites(self, obj: Company, context: SendContext) -> dict[str, str]:
        problems = {}
        if obj.is_archived:
            problems["is_archived"] = f"{obj.name} is archived; unarchive it before exporting it to Sage."
        if obj.erp_company_id:
            problems["erp_company_id"] = f"{obj.name} is already linked to vendor {obj.erp_company_id}."
        if not obj.name.strip():
            problems["name"] = "Can't be blank. Give the company a name."
        return problems

    def steps(self, obj: Company, fields: dict[str, str]) -> list[Step]:
        return [Step(VENDOR, VendorExport(
            vendor_id=fields["erp_company_id"], name=obj.name, address=obj.address, city=obj.city, state=obj.state,
            zip=obj.zip, telephone=obj.business_phone, fax=obj.business_fax, vendor_type=fields["vendor_type"],
        ))]

    def staged_details(self, staged) -> list[tuple[str, bool]]:
        data = staged.data
        place = f"{data.get('address', '')}, {data.get('city', '')} {data.get('state', '')} {data.get('zip', '')}"
        details = [(place.strip(" ,"), False), (data.get("vendor_type", ""), False)]
        if data.get("inactive"):
            details.append(("Inactive in Sage", True))
        return [detail for detail in details if detail[0]]

    def erp_record(self, obj: Company) -> VendorExport:
        return VendorExport(vendor_id=obj.erp_company_id or "", name=obj.name, address=obj.address, city=obj.city,
                            state=obj.state, zip=obj.zip, telephone=obj.business_phone, fax=obj.business_fax)

    def update(self, obj, data, *, actor=None):
        return company_update(company=obj, data=data, actor=actor)

    def delete(self, obj, *, actor=None) -> None:
        company_delete(company=obj, actor=actor)


# --- the Vendors dataset ---------------------------------------------------------------------------


def _vendor_data(record: VendorRecord) -> dict:
    # A flat dict by hand: dataclasses.asdict deep-copies and costs seconds on 50,000 vendors.
    return {name: getattr(record, name) for name in VENDOR_DATA_FIELDS}


def _vendors_read(connector, cursor, changed_since):
    return connector.vendors(cursor=cursor, limit=SYNC_PAGE_SIZE, changed_since=changed_since)


def _vendors_write(records, run) -> PageOutcome:
    companies = {
        c.erp_company_id: c
        for c in Company.objects.filter(erp_company_id__any_of=[r.vendor_id for r in records]).only(
            "pk", "erp_company_id", "erp_inactive", "name", *AUTO_UPDATE_FIELDS.values()
        )
    }
    outcome = stage_records(
        kind=VENDOR,
        items=[("", r.vendor_id, r.name, _vendor_data(r)) for r in records],
        linked={("", vendor_id): company.pk for vendor_id, company in companies.items()},
    )
    if companies:
        _linked_companies_write([r for r in records if r.vendor_id in companies], companies, outcome)
    return outcome


def _linked_companies_write(records, companies: dict[str, Company], outcome: PageOutcome) -> None:
    """Keep linked companies in step with their vendors, with a line in each one's change history."""
    auto_update = erp_option(AUTO_UPDATE.key)
    now = timezone.now()
    changed, changed_fields = [], set()
    auto_updated, auto_fields, inactive_changed = 0, set(), 0
    for record in records:
        company = companies[record.vendor_id]
        changes = {"erp_inactive": record.inactive} if company.erp_inactive != record.inactive else {}
        inactive_changed += bool(changes)
        if auto_update:
            copied = {}
            for source, target in AUTO_UPDATE_FIELDS.items():
                value = getattr(record, source) or ""
                if getattr(company, target) != value:
                    copied[target] = value
                    auto_fields.add(source)
            auto_updated += bool(copied)
            changes.update(copied)
        if changes:
            for name, value in changes.items():
                setattr(company, name, value)
            company.updated_at = now
            changed_fields.update(changes)
            changed.append(company)
    if changed:
        full = list(Company.objects.filter(pk__in=[c.pk for c in changed]))
        by_pk = {c.pk: c for c in changed}
        for company in full:
            for name in changed_fields:
                setattr(company, name, getattr(by_pk[company.pk], name))
            company.updated_at = now
        bulk_update_with_history(full, Company, [*sorted(changed_fields), "updated_at"], batch_size=500,
                                 default_change_reason=SYNC_CHANGE_REASON)
        # A company changed here is not counted as a changed vendor (the vendor itself may not have changed in
        # Sage); it is counted and named on its own line.
        if auto_updated:
            fields = ", ".join(AUTO_UPDATE_WORDS[name] for name in AUTO_UPDATE_FIELDS if name in auto_fields)
            outcome.explain(auto_updated, f"linked company updated by auto-update ({fields})",
                            f"linked companies updated by auto-update ({fields})")
        outcome.explain(inactive_changed, "linked company's Inactive flag changed to match Sage",
                        "linked companies' Inactive flag changed to match Sage")
    if erp_option(INSURANCE_SYNC.key):
        _insurance_write(records, companies, outcome)


def _insurance_write(records, companies: dict[str, Company], outcome: PageOutcome) -> None:
    """Insurance of linked companies only (R62), one policy per Sage default type (R63)."""
    now = timezone.now()
    rows = []
    for record in records:
        for policy in record.insurance:
            kind = INSURANCE_TYPES.get(policy.insurance_type)
            if kind is None:
                continue
            rows.append({
                "company_id": companies[record.vendor_id].pk, "insurance_type": kind,
                "policy_number": policy.policy_number, "insurance_provider": policy.insurance_company,
                "limit_amount": policy.limit, "effective_date": policy.effective_date,
                "expiration_date": policy.expiration_date, "imported_from_erp": True,
            })
    if not rows:
        return
    written = upsert(
        CompanyInsurance, rows, key=["company_id", "insurance_type"],
        fields=["policy_number", "insurance_provider", "limit_amount", "effective_date", "expiration_date",
                "imported_from_erp"],
        insert_values={"created_at": now}, update_values={"updated_at": now},
    )
    if written.created or written.updated:
        outcome.explain(written.created, "insurance policy added to a linked company",
                        "insurance policies added to linked companies")
        outcome.explain(written.updated, "insurance policy of a linked company updated",
                        "insurance policies of linked companies updated")


register_dataset(DatasetSpec(VENDORS, "Vendors", Action.REFRESH_COMPANIES, _vendors_read, _vendors_write,
                             staged_kind=VENDOR, staged_key=lambda record: ("", record.vendor_id), order=40))


# --- reconcile -----------------------------------------------------------------------------------------


def _reconcile_companies(report: ReconcileReport, connector) -> None:
    vendors = {r.vendor_id: r for r in get_all(connector.vendors)}
    # Without auto-update Trestle keeps its own address and phone after linking (DECISIONS A16).
    compared = AUTO_UPDATE_FIELDS if erp_option(AUTO_UPDATE.key) else {}
    for company in Company.objects.filter(erp_company_id__isnull=False).order_by("name", "pk"):
        report.count("companies")
        label = label_of(company)
        vendor = vendors.get(company.erp_company_id)
        if vendor is None:
            report.add(Kind.MISSING_IN_ERP, label, "erp_company_id", company.erp_company_id, MISSING)
            continue
        if company.erp_status != ErpStatus.SYNCED:
            report.add(Kind.NOT_SYNCED, label, "erp_status", company.erp_status, f"vendor {vendor.vendor_id}")
        if not connector.same_vendor_name(vendor.name, company.name):  # the rule that linked them (Inc., case)
            report.add(Kind.FIELD, label, "name", company.name, vendor.name)
        for source, target in compared.items():
            if getattr(company, target) != (getattr(vendor, source) or ""):
                report.add(Kind.FIELD, label, target, getattr(company, target), getattr(vendor, source))


register_reconcile(ReconcileCheck("companies", "companies", _reconcile_companies, order=30))

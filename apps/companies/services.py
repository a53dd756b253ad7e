"""Writes to the company directory (vendors) and vendor insurance.

The ERP Company ID links a company to a Sage AP vendor. It is written when a company is created
from a Sage vendor (sync or import) or by the ERP export later; editing a company never changes it
(R59, R273). Insurance is import-only from Sage for linked companies (R62–R64).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError

from apps.access.rules import Operation, Resource, require_actor
from apps.companies.models import Company, CompanyInsurance, VendorType
from apps.erp import guards
from apps.core.exceptions import Conflict
from apps.core.money import to_money
from apps.core.validation import ErrorDict, add_error, merge_errors, model_field_errors, raise_if_errors, text
from apps.erp.connector import get_connector

# Fields a person (or an import) may set on a company; the rest belong to the ERP link or to services.
COMPANY_EDITABLE_FIELDS = (
    "name",
    "address",
    "city",
    "state",
    "zip",
    "business_phone",
    "business_fax",
    "email",
    "erp_vendor_type",
)
ERP_COMPANY_ID_IS_FIXED = (
    "The ERP Company ID is set when the company is linked to a Sage 300 CRE vendor and cannot be changed here."
)


def _set_actor(instance, actor) -> None:
    if actor is not None:
        instance._history_user = actor


def _clean(field: str, value: object) -> str:
    """A directory field as stored: trimmed text; a vendor type spelled any case is Sage's ("supplier" → Supplier)."""
    cleaned = text(value)
    if field == "erp_vendor_type":
        return VendorType.matching(cleaned) or cleaned
    return cleaned


def _erp_company_id(value: object) -> str | None:
    return text(value) or None


def company_vendor_limit_errors(*, values: Mapping[str, Any]) -> ErrorDict:
    """Sage's limits on vendor fields (name ≤ 30, city ≤ 15 …), with Sage's own messages.

    The directory fields are checked by the engine from the declaration (``CompanyDocument.field_limits``),
    the ERP Company ID by its Accept field's limit.
    """
    from apps.companies.erp import CompanyDocument

    errors = guards.limit_errors(Company, {name: value for name, value in values.items() if name != "erp_company_id"})
    erp_company_id = values.get("erp_company_id")
    if erp_company_id is not None:
        record_type, record_field = CompanyDocument().id_field.limit
        limit = get_connector().limits.of(record_type).get(record_field)
        message = limit.explained(erp_company_id, "ERP Company ID") if limit else None
        if message:
            errors["erp_company_id"] = [message]
    return errors


def company_validate(*, data: Mapping[str, Any], company: Company | None = None) -> ErrorDict:
    """Why ``data`` cannot create (``company=None``) or update ``company``; empty when it can."""
    candidate = Company() if company is None else Company(**{f: getattr(company, f) for f in COMPANY_EDITABLE_FIELDS})
    for field in COMPANY_EDITABLE_FIELDS:
        if field in data:
            setattr(candidate, field, _clean(field, data[field]))
    errors = model_field_errors(candidate, fields=COMPANY_EDITABLE_FIELDS)
    # What Sage 300 CRE can hold, checked on save as well as at Send.
    errors = merge_errors(errors, company_vendor_limit_errors(values={
        field: getattr(candidate, field) for field in COMPANY_EDITABLE_FIELDS
        if field in data and field not in errors and (company is None or getattr(company, field) != getattr(candidate, field))
    }))

    if "erp_company_id" in data:
        erp_company_id = _erp_company_id(data["erp_company_id"])
        if company is not None:
            if erp_company_id != company.erp_company_id:
                add_error(errors, "erp_company_id", ERP_COMPANY_ID_IS_FIXED)
        elif erp_company_id is not None:
            candidate.erp_company_id = erp_company_id
            errors = merge_errors(errors, model_field_errors(candidate, fields=["erp_company_id"]))
            if "erp_company_id" not in errors:
                errors = merge_errors(errors, company_vendor_limit_errors(values={"erp_company_id": erp_company_id}))
            holder = Company.objects.filter(erp_company_id=erp_company_id).only("name").first()
            if holder is not None:
                add_error(
                    errors,
                    "erp_company_id",
                    f"ERP Company ID {erp_company_id} is already linked to the company {holder.name!r}.",
                )
    return errors


@transaction.atomic
def company_create(
    *,
    name: str,
    address: str = "",
    city: str = "",
    state: str = "",
    zip: str = "",  # noqa: A002 - the model's field name
    business_phone: str = "",
    business_fax: str = "",
    email: str = "",
    erp_vendor_type: str = "",
    is_archived: bool = False,
    actor=None,
) -> Company:
    """Add a company to the directory. Linking it to a Sage vendor is the ERP engine's (export, link or import)."""
    require_actor(actor, Resource.COMPANY, Operation.ADD)
    if is_archived:
        require_actor(actor, Resource.COMPANY, Operation.ARCHIVE)
    data = {
        "name": name,
        "address": address,
        "city": city,
        "state": state,
        "zip": zip,
        "business_phone": business_phone,
        "business_fax": business_fax,
        "email": email,
        "erp_vendor_type": erp_vendor_type,
    }
    raise_if_errors(company_validate(data=data))
    company = Company(**{field: _clean(field, data[field]) for field in COMPANY_EDITABLE_FIELDS}, is_archived=bool(is_archived))
    _set_actor(company, actor)
    company.save()
    return company


@transaction.atomic
def company_update(*, company: Company, data: Mapping[str, Any], actor=None) -> Company:
    """Change a company's directory fields. ``erp_company_id`` may be given only unchanged."""
    require_actor(actor, Resource.COMPANY, Operation.CHANGE)
    # A locked field is refused for being locked, whatever else would be wrong with the change.
    raise_if_errors(guards.locked_field_errors(company, [
        field for field in COMPANY_EDITABLE_FIELDS if field in data and getattr(company, field) != _clean(field, data[field])
    ]))
    errors: ErrorDict = {}
    for field in set(data) - set(COMPANY_EDITABLE_FIELDS) - {"erp_company_id"}:
        if field == "is_archived":
            add_error(errors, field, "Archive or unarchive the company with its own action.")
        elif field == "erp_inactive":
            add_error(errors, field, "Whether the vendor is inactive comes from Sage 300 CRE.")
        else:
            add_error(errors, field, "This field cannot be changed here.")
    errors = merge_errors(errors, company_validate(data=data, company=company))
    raise_if_errors(errors)
    changed = [
        field
        for field in COMPANY_EDITABLE_FIELDS
        if field in data and getattr(company, field) != _clean(field, data[field])
    ]
    if changed:
        for field in changed:
            setattr(company, field, _clean(field, data[field]))
        _set_actor(company, actor)
        company.save(update_fields=[*changed, "updated_at"])
    return company


@transaction.atomic
def company_archive(*, company: Company, actor=None) -> Company:
    """Archive a company (e.g. a Sage vendor that won't be used in Trestle, R57)."""
    require_actor(actor, Resource.COMPANY, Operation.ARCHIVE)
    if company.is_archived:
        raise Conflict(f"{company.name} is already archived.", code="already_archived")
    company.is_archived = True
    _set_actor(company, actor)
    company.save(update_fields=["is_archived", "updated_at"])
    return company


@transaction.atomic
def company_unarchive(*, company: Company, actor=None) -> Company:
    require_actor(actor, Resource.COMPANY, Operation.ARCHIVE)
    if not company.is_archived:
        raise Conflict(f"{company.name} is not archived.", code="not_archived")
    company.is_archived = False
    _set_actor(company, actor)
    company.save(update_fields=["is_archived", "updated_at"])
    return company


def company_delete_problem(*, company: Company) -> str | None:
    """Why the company cannot be deleted, or ``None``. A company linked to a Sage vendor is archived instead (R57)."""
    if company.erp_company_id:
        return (
            f"{company.name} is linked to the Sage 300 CRE vendor {company.erp_company_id} and cannot be deleted; "
            "archive it instead."
        )
    return guards.delete_refusal(company)


@transaction.atomic
def company_delete(*, company: Company, actor=None) -> None:
    """Delete a company that was never linked to Sage 300 CRE, with its insurance."""
    require_actor(actor, Resource.COMPANY, Operation.DELETE)
    company = Company.objects.select_for_update().get(pk=company.pk)
    problem = company_delete_problem(company=company)
    if problem:
        raise Conflict(problem, code="company_in_erp")
    _set_actor(company, actor)
    try:
        company.delete()
    except ProtectedError as exc:
        kinds = sorted({obj._meta.verbose_name_plural for obj in exc.protected_objects})
        raise Conflict(f"{company.name} cannot be deleted while {', '.join(kinds)} refer to it.", code="company_in_use") from exc


INSURANCE_FIELDS = (
    "policy_number",
    "insurance_provider",
    "limit_amount",
    "effective_date",
    "expiration_date",
)


def company_insurance_validate(
    *, company: Company, insurance_type: str, data: Mapping[str, Any], from_erp: bool = False
) -> ErrorDict:
    errors: ErrorDict = {}
    if insurance_type not in CompanyInsurance.InsuranceType.values:
        choices = ", ".join(label for label in CompanyInsurance.InsuranceType.labels)
        add_error(errors, "insurance_type", f"{insurance_type!r} is not an insurance type Sage keeps ({choices}).")
        return errors
    label = CompanyInsurance.InsuranceType(insurance_type).label
    if from_erp and not company.erp_company_id:
        add_error(
            errors,
            "company",
            f"Insurance is imported only for companies linked to a Sage 300 CRE vendor; {company.name} is not linked.",
        )
    if not from_erp:
        existing = CompanyInsurance.objects.filter(company=company, insurance_type=insurance_type).first()
        if existing is not None and existing.imported_from_erp:
            add_error(
                errors,
                "insurance_type",
                f"The {label} policy of {company.name} is imported from Sage 300 CRE; change it in Sage 300 CRE.",
            )
    limit_amount = data.get("limit_amount")
    if limit_amount not in (None, ""):
        try:
            amount = to_money(limit_amount)
        except (TypeError, ValueError) as exc:
            add_error(errors, "limit_amount", str(exc))
        else:
            if amount < 0:
                add_error(errors, "limit_amount", "The limit cannot be negative.")
            elif len(amount.as_tuple().digits) > CompanyInsurance._meta.get_field("limit_amount").max_digits:
                add_error(errors, "limit_amount", "The limit is too large.")
    effective, expiration = data.get("effective_date"), data.get("expiration_date")
    for field, value in (("effective_date", effective), ("expiration_date", expiration)):
        if value is not None and not isinstance(value, date):
            add_error(errors, field, f"{value!r} is not a date.")
    if isinstance(effective, date) and isinstance(expiration, date) and expiration < effective:
        add_error(errors, "expiration_date", "The expiration date is before the effective date.")
    candidate = CompanyInsurance(
        policy_number=text(data.get("policy_number")), insurance_provider=text(data.get("insurance_provider"))
    )
    return merge_errors(errors, model_field_errors(candidate, fields=["policy_number", "insurance_provider"]))


@transaction.atomic
def company_insurance_upsert(
    *,
    company: Company,
    insurance_type: str,
    policy_number: str = "",
    insurance_provider: str = "",
    limit_amount: Decimal | str | None = None,
    effective_date: date | None = None,
    expiration_date: date | None = None,
    from_erp: bool = False,
    actor=None,
) -> CompanyInsurance:
    """Create or update the company's policy of one insurance type (one per type, DECISIONS A15).

    ``from_erp=True`` is the Sage import (linked companies only, R62); a policy imported from Sage is
    not edited by hand afterwards.
    """
    require_actor(actor, Resource.COMPANY_INSURANCE, Operation.CHANGE)
    data = {
        "policy_number": policy_number,
        "insurance_provider": insurance_provider,
        "limit_amount": limit_amount,
        "effective_date": effective_date,
        "expiration_date": expiration_date,
    }
    raise_if_errors(
        company_insurance_validate(company=company, insurance_type=insurance_type, data=data, from_erp=from_erp)
    )
    values = {
        "policy_number": text(policy_number),
        "insurance_provider": text(insurance_provider),
        "limit_amount": None if limit_amount in (None, "") else to_money(limit_amount),
        "effective_date": effective_date,
        "expiration_date": expiration_date,
        "imported_from_erp": bool(from_erp),
    }
    insurance = CompanyInsurance.objects.filter(company=company, insurance_type=insurance_type).first()
    if insurance is None:
        insurance = CompanyInsurance(company=company, insurance_type=insurance_type, **values)
        insurance.save()
        return insurance
    changed = [field for field, value in values.items() if getattr(insurance, field) != value]
    if changed:
        for field in changed:
            setattr(insurance, field, values[field])
        insurance.save(update_fields=[*changed, "updated_at"])
    return insurance

"""AP vendors and their insurance."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from django.db import transaction

from apps.sage300.errors import SageError
from apps.sage300.faults import sage_call
from apps.sage300.limits import VENDOR_FIELDS, VENDOR_INSURANCE_FIELDS
from apps.sage300.models import InsuranceType, Vendor, VendorInsurance, VendorType
from apps.sage300.routers import SAGE_ALIAS
from apps.sage300.rules import check_amount, check_choice, check_length, check_lengths, require, text
from apps.sage300.services.common import (
    UNCHANGED,
    assert_vendor_active,
    atomic_write,
    each_atomic,
    given,
    lock_vendor,
)

_TEXT_FIELDS = ("name", "vendor_type", "address_1", "address_2", "city", "state", "zip_code", "telephone", "fax_number")


def _clean_vendor_fields(values: Mapping[str, object]) -> dict[str, str]:
    cleaned = {name: text(values[name]) for name in _TEXT_FIELDS if name in values}
    if "name" in cleaned:
        require(cleaned["name"], field="name")
    check_lengths(cleaned, VENDOR_FIELDS)
    if "vendor_type" in cleaned:
        check_choice(cleaned["vendor_type"], VendorType.values, field="vendor_type")
    return cleaned


def validate_vendor_create(*, vendor: str, **fields: object) -> dict[str, str]:
    vendor_id = require(vendor, field="vendor")
    check_length(vendor_id, VENDOR_FIELDS["vendor"], field="vendor")
    if Vendor.objects.filter(vendor=vendor_id).exists():
        raise SageError("vendor_id_exists", field="vendor")
    return {"vendor": vendor_id, **_clean_vendor_fields(fields)}


@sage_call("vendor_create")
def vendor_create(
    *,
    vendor: str,
    name: str,
    vendor_type: str = VendorType.SUBCONTRACTOR,
    address_1: str = "",
    address_2: str = "",
    city: str = "",
    state: str = "",
    zip_code: str = "",
    telephone: str = "",
    fax_number: str = "",
) -> Vendor:
    request = {
        "vendor": vendor,
        "name": name,
        "vendor_type": vendor_type,
        "address_1": address_1,
        "address_2": address_2,
        "city": city,
        "state": state,
        "zip_code": zip_code,
        "telephone": telephone,
        "fax_number": fax_number,
    }

    return atomic_write(lambda: Vendor.objects.create(**validate_vendor_create(**request)))


@sage_call("vendor_create_many")
def vendor_create_many(*, vendors: Sequence[Mapping[str, object]]) -> list[Vendor | SageError]:
    """Several vendors in one request (an AP vendor import): the answer for each is the vendor or Sage's
    refusal of it; the others are written all the same."""
    requests = [{**{"vendor_type": VendorType.SUBCONTRACTOR}, **dict(vendor)} for vendor in vendors]
    return each_atomic(
        requests,
        lambda request: Vendor.objects.create(**validate_vendor_create(**request)),
        lambda request: validate_vendor_create(**request),
    )


def validate_vendor_update(*, vendor: str, changes: Mapping[str, object]) -> tuple[Vendor, dict[str, str]]:
    found = lock_vendor(vendor)
    assert_vendor_active(found)
    return found, _clean_vendor_fields(changes)


@sage_call("vendor_update")
@transaction.atomic(using=SAGE_ALIAS)
def vendor_update(
    *,
    vendor: str,
    name: object = UNCHANGED,
    vendor_type: object = UNCHANGED,
    address_1: object = UNCHANGED,
    address_2: object = UNCHANGED,
    city: object = UNCHANGED,
    state: object = UNCHANGED,
    zip_code: object = UNCHANGED,
    telephone: object = UNCHANGED,
    fax_number: object = UNCHANGED,
) -> Vendor:
    """Change an active vendor's details; an inactive vendor must be reactivated first."""
    found, cleaned = validate_vendor_update(
        vendor=vendor,
        changes=given(
            name=name,
            vendor_type=vendor_type,
            address_1=address_1,
            address_2=address_2,
            city=city,
            state=state,
            zip_code=zip_code,
            telephone=telephone,
            fax_number=fax_number,
        ),
    )
    for field, value in cleaned.items():
        setattr(found, field, value)
    found.save(update_fields=[*cleaned, "date_stamp"])
    return found


def _set_inactive(vendor: str, inactive: bool) -> Vendor:
    found = lock_vendor(vendor)
    if found.inactive != inactive:
        found.inactive = inactive
        found.save(update_fields=["inactive", "date_stamp"])
    return found


@sage_call("vendor_inactivate")
@transaction.atomic(using=SAGE_ALIAS)
def vendor_inactivate(*, vendor: str) -> Vendor:
    """Archive the vendor: commitments and invoices for it fail with "Vendor is inactive/has been archived."."""
    return _set_inactive(vendor, True)


@sage_call("vendor_activate")
@transaction.atomic(using=SAGE_ALIAS)
def vendor_activate(*, vendor: str) -> Vendor:
    return _set_inactive(vendor, False)


def validate_vendor_insurance(
    *,
    vendor: str,
    insurance_type: str,
    policy_number: str = "",
    insurance_company: str = "",
    limit: object = 0,
    effective_date: datetime.date | None = None,
    expiration_date: datetime.date | None = None,
) -> tuple[Vendor, dict[str, object]]:
    found = lock_vendor(vendor, referenced=True)
    assert_vendor_active(found)
    kind = require(insurance_type, field="insurance_type")
    check_choice(kind, InsuranceType.values, field="insurance_type")
    check_lengths({"policy_number": policy_number, "insurance_company": insurance_company}, VENDOR_INSURANCE_FIELDS)
    amount = check_amount(limit, field="limit")
    if effective_date and expiration_date and expiration_date < effective_date:
        raise SageError("expiration_before_effective", field="expiration_date")
    return found, {
        "insurance_type": kind,
        "policy_number": text(policy_number),
        "insurance_company": text(insurance_company),
        "limit": amount,
        "effective_date": effective_date,
        "expiration_date": expiration_date,
    }


@sage_call("vendor_insurance_set")
@transaction.atomic(using=SAGE_ALIAS)
def vendor_insurance_set(
    *,
    vendor: str,
    insurance_type: str,
    policy_number: str = "",
    insurance_company: str = "",
    limit: object = 0,
    effective_date: datetime.date | None = None,
    expiration_date: datetime.date | None = None,
) -> VendorInsurance:
    """Record the vendor's policy of one insurance type, replacing the one on file."""
    found, values = validate_vendor_insurance(
        vendor=vendor,
        insurance_type=insurance_type,
        policy_number=policy_number,
        insurance_company=insurance_company,
        limit=limit,
        effective_date=effective_date,
        expiration_date=expiration_date,
    )
    insurance, _ = VendorInsurance.objects.update_or_create(
        vendor=found, insurance_type=values.pop("insurance_type"), defaults=values
    )
    return insurance


@sage_call("vendor_insurance_remove")
@transaction.atomic(using=SAGE_ALIAS)
def vendor_insurance_remove(*, vendor: str, insurance_type: str) -> None:
    found = lock_vendor(vendor)
    assert_vendor_active(found)
    deleted, _ = VendorInsurance.objects.filter(vendor=found, insurance_type=text(insurance_type)).delete()
    if not deleted:
        raise SageError("entity_not_found", field="insurance_type")

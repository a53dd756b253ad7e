"""Create and Sync Vendors (seed workflow 7), both ways, and the vendor settings (R18–R21, R55–R64)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from apps.erp.item_types import ItemType
from apps.companies.models import Company, CompanyInsurance
from apps.companies.services import company_create
from apps.core.exceptions import Conflict, ValidationFailed
from apps.companies.erp import vendor_add_as_company, vendor_link_to_company, vendor_suggested_matches
from apps.erp.staging import staged_record_archive
from apps.erp import services
from apps.erp.services import erp_settings_save
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import StagedRecord, SyncRun
from apps.erp.sync import sync_start
from apps.sage300 import services as sage
from apps.sage300.faults import at_sage_desktop
from apps.sage300.models import Vendor


def sync_vendors() -> SyncRun:
    return sync_start(dataset="vendors", trigger=SyncRun.Trigger.COMMAND, run_inline=True)


def staged(vendor_id: str) -> StagedRecord:
    return StagedRecord.objects.get(kind="vendor", origin_id=vendor_id)


def test_vendor_sync_stages_every_sage_vendor_and_a_rerun_writes_nothing(sage_company, connected):
    first = sync_vendors()
    second = sync_vendors()

    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 2)
    assert staged("ACMECON").data["name"] == "Acme Concrete, Inc."


def test_add_an_erp_vendor_as_a_new_company(sage_company, connected, approver):
    sync_vendors()

    company = vendor_add_as_company(staged=staged("ACMECON"), actor=approver)

    # R265–R272: Vendor, Name, Address, City, State, Zip, Telephone, Fax
    assert (company.erp_company_id, company.name, company.city, company.state, company.zip, company.business_phone) == (
        "ACMECON", "Acme Concrete, Inc.", "Dallas", "TX", "75201", "(214) 555-0100"
    )
    assert company.erp_status == ErpStatus.SYNCED
    assert staged("ACMECON").status == "imported"


def test_link_suggests_the_near_match_and_links_without_changing_trestles_fields(sage_company, connected, approver):
    hub = company_create(name="Brightline Electric", city="Plano", business_phone="(972) 555-0199")
    company_create(name="Unrelated Paving")
    sync_vendors()

    matches = vendor_suggested_matches(staged=staged("BRIGHTELEC"))
    linked = vendor_link_to_company(staged=staged("BRIGHTELEC"), company=hub, actor=approver)

    assert [m.company.name for m in matches] == ["Brightline Electric"]
    assert (linked.erp_company_id, linked.name, linked.business_phone) == (
        "BRIGHTELEC", "Brightline Electric", "(972) 555-0199"
    )


def test_vendors_auto_update_copies_address_and_phone_from_sage_when_on(sage_company, connected, approver):
    sync_vendors()
    company = vendor_add_as_company(staged=staged("ACMECON"), actor=approver)
    with at_sage_desktop():
        sage.vendor_update(vendor="ACMECON", city="Irving", telephone="(972) 555-0111")

    sync_vendors()
    company.refresh_from_db()
    assert (company.city, company.business_phone) == ("Dallas", "(214) 555-0100")  # off by default (R18)

    erp_settings_save(options={"vendors_auto_update": True})
    sync_vendors()
    company.refresh_from_db()
    assert (company.city, company.business_phone) == ("Irving", "(972) 555-0111")  # R19


def test_insurance_imported_for_linked_companies_only_when_the_setting_is_on(sage_company, connected, approver):
    with at_sage_desktop():
        sage.vendor_insurance_set(vendor="ACMECON", insurance_type="General Liability", policy_number="GL-1",
                                  insurance_company="Travelers", limit=Decimal("1000000.00"),
                                  effective_date=datetime.date(2026, 1, 1), expiration_date=datetime.date(2027, 1, 1))
    sync_vendors()
    company = vendor_add_as_company(staged=staged("ACMECON"), actor=approver)
    sync_vendors()
    assert not CompanyInsurance.objects.exists()  # R21

    erp_settings_save(options={"vendor_insurance_sync": True})
    sync_vendors()

    policy = CompanyInsurance.objects.get(company=company)
    assert (policy.insurance_type, policy.policy_number, policy.insurance_provider, policy.limit_amount,
            policy.effective_date, policy.expiration_date, policy.imported_from_erp) == (
        "general_liability", "GL-1", "Travelers", Decimal("1000000.00"),
        datetime.date(2026, 1, 1), datetime.date(2027, 1, 1), True,
    )


def test_inactive_flag_follows_sage(sage_company, connected, approver):
    sync_vendors()
    company = vendor_add_as_company(staged=staged("ACMECON"), actor=approver)
    with at_sage_desktop():
        sage.vendor_inactivate(vendor="ACMECON")

    sync_vendors()

    company.refresh_from_db()
    assert company.erp_inactive is True


def test_archive_and_unarchive_a_vendor(sage_company, connected, approver):
    sync_vendors()

    staged_record_archive(staged=staged("ACMECON"), actor=approver)
    assert staged("ACMECON").status == "archived"
    with pytest.raises(Conflict):
        vendor_add_as_company(staged=staged("ACMECON"), actor=approver)
    staged_record_archive(staged=staged("ACMECON"), actor=approver, archived=False)
    assert staged("ACMECON").status == "staged"
    assert not Company.objects.exists()


def test_export_a_company_as_a_new_vendor(connected, sage_company, approver, django_capture_on_commit_callbacks):
    company = company_create(name="Eagle Scaffold & Hoist", address="12 Elm St", city="Garland", state="TX",
                             zip="75040", business_phone="(972) 555-0150", business_fax="(972) 555-0151")
    services.erp_send(item_type=ItemType.COMPANY, obj=company, actor=approver)

    with django_capture_on_commit_callbacks(execute=True):
        services.erp_accept(item_type=ItemType.COMPANY, obj=company, actor=approver,
                            fields={"erp_company_id": "eaglescaf", "vendor_type": "Subcontractor"})

    company.refresh_from_db()
    assert (company.erp_status, company.erp_company_id) == (ErpStatus.SYNCED, "EAGLESCAF")
    vendor = Vendor.objects.get(vendor="EAGLESCAF")
    assert (vendor.name, vendor.address_1, vendor.city, vendor.state, vendor.zip_code, vendor.telephone,
            vendor.fax_number) == ("Eagle Scaffold & Hoist", "12 Elm St", "Garland", "TX", "75040",
                                   "(972) 555-0150", "(972) 555-0151")


def test_an_identical_existing_vendor_is_linked_not_duplicated(
    connected, sage_company, approver, django_capture_on_commit_callbacks
):
    company = company_create(name="Acme Concrete Inc")
    services.erp_send(item_type=ItemType.COMPANY, obj=company, actor=approver)

    with django_capture_on_commit_callbacks(execute=True):
        services.erp_accept(item_type=ItemType.COMPANY, obj=company, actor=approver, fields={"erp_company_id": "ACMECON"})

    company.refresh_from_db()
    assert (company.erp_status, company.erp_company_id) == (ErpStatus.SYNCED, "ACMECON")
    assert Vendor.objects.filter(vendor="ACMECON").count() == 1


def test_a_different_vendor_with_that_id_is_refused_at_accept(connected, sage_company, approver):
    company = company_create(name="Zenith Glass")
    services.erp_send(item_type=ItemType.COMPANY, obj=company, actor=approver)

    with pytest.raises(ValidationFailed) as refused:
        services.erp_accept(item_type=ItemType.COMPANY, obj=company, actor=approver, fields={"erp_company_id": "ACMECON"})

    assert refused.value.code == "vendor_id_exists"
    company.refresh_from_db()
    assert company.erp_status == ErpStatus.READY_TO_EXPORT


def test_archived_and_too_long_companies_are_refused_at_send(connected, approver):
    archived = company_create(name="Old Co", is_archived=True)
    long_name = company_create(name="A" * 30)
    Company.objects.filter(pk=long_name.pk).update(name="A" * 31)  # saved before names were checked on save
    long_name.refresh_from_db()

    with pytest.raises(ValidationFailed) as archived_refusal:
        services.erp_send(item_type=ItemType.COMPANY, obj=archived, actor=approver)
    with pytest.raises(ValidationFailed) as long_refusal:
        services.erp_send(item_type=ItemType.COMPANY, obj=long_name, actor=approver)

    assert "archived" in archived_refusal.value.errors["is_archived"][0]
    assert long_refusal.value.errors == {"name": ["[Name] is too long, maximum length is 30 characters."]}


def test_unlink_needs_the_vendor_gone_from_sage_or_a_confirmation(sage_company, connected, approver):
    sync_vendors()
    company = vendor_add_as_company(staged=staged("ACMECON"), actor=approver)

    with pytest.raises(Conflict) as refused:
        services.erp_unlink(item_type=ItemType.COMPANY, obj=company, actor=approver)
    assert refused.value.code == "erp_record_still_exists"

    services.erp_unlink(item_type=ItemType.COMPANY, obj=company, actor=approver, confirm=True)
    company.refresh_from_db()
    assert (company.erp_status, company.erp_company_id) == (ErpStatus.NOT_IN_ERP, None)
    assert (staged("ACMECON").status, staged("ACMECON").linked_object_id) == ("staged", None)

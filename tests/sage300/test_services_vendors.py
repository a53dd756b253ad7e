"""AP vendors and their insurance."""

import datetime
from decimal import Decimal

import pytest

from apps.sage300 import services
from apps.sage300.errors import SageError
from apps.sage300.models import Vendor, VendorInsurance
from tests.sage300.helpers import refused


def test_vendor_create_stores_sages_columns():
    # when
    vendor = services.vendor_create(
        vendor="ACME",
        name="Acme Concrete",
        vendor_type="Supplier",
        address_1="1 Main St",
        city="Austin",
        state="TX",
        zip_code="78701",
        telephone="512-555-0100",
        fax_number="512-555-0101",
    )

    # then
    stored = Vendor.objects.values("vendor", "name", "vendor_type", "inactive", "city", "zip_code", "fax_number").get(pk=vendor.pk)
    assert stored == {
        "vendor": "ACME",
        "name": "Acme Concrete",
        "vendor_type": "Supplier",
        "inactive": False,
        "city": "Austin",
        "zip_code": "78701",
        "fax_number": "512-555-0101",
    }


@pytest.mark.parametrize(
    ("field", "good", "message"),
    [
        ("vendor", 10, "[Vendor] is too long, maximum length is 10 characters."),
        ("name", 30, "[Name] is too long, maximum length is 30 characters."),
        ("city", 15, "[City] is too long, maximum length is 15 characters."),
        ("zip_code", 10, "[ZIP] is too long, maximum length is 10 characters."),
        ("telephone", 20, "[Telephone] is too long, maximum length is 20 characters."),
    ],
)
def test_vendor_fields_accept_their_limit_and_refuse_one_more(field, good, message):
    # given
    arguments = {"vendor": "V1", "name": "Vendor One"}

    # when
    error = refused(services.vendor_create, **{**arguments, field: "x" * (good + 1)})
    created = services.vendor_create(**{**arguments, field: "x" * good})

    # then
    assert (error.message, error.field) == (message, field)
    assert getattr(created, field) == "x" * good
    assert Vendor.objects.count() == 1


def test_a_vendor_without_id_or_name_is_refused():
    # when
    no_id = refused(services.vendor_create, vendor="", name="Acme")
    no_name = refused(services.vendor_create, vendor="ACME", name=" ")

    # then
    assert (no_id.message, no_id.field) == ("Can't be blank.", "vendor")
    assert (no_name.message, no_name.field) == ("Can't be blank.", "name")


def test_a_second_vendor_with_the_same_id_is_refused(vendor):
    # when
    error = refused(services.vendor_create, vendor="ACME", name="Another Acme")

    # then
    assert error.message == "A vendor already exists with the specified id."


def test_an_unknown_vendor_type_is_refused():
    # when
    error = refused(services.vendor_create, vendor="ACME", name="Acme", vendor_type="Landlord")

    # then
    assert error.message == "[Type] has an invalid value: Landlord."


def test_inactivating_sets_the_flag_and_the_vendor_then_refuses_changes(vendor):
    # when
    inactive = services.vendor_inactivate(vendor="ACME")
    update_refused = refused(services.vendor_update, vendor="ACME", city="Dallas")
    insurance_refused = refused(services.vendor_insurance_set, vendor="ACME", insurance_type="Umbrella")

    # then
    assert Vendor.objects.get().inactive is True
    assert inactive.inactive is True
    assert update_refused.message == insurance_refused.message == "Vendor is inactive/has been archived."


def test_reactivating_allows_changes_again(vendor):
    # given
    services.vendor_inactivate(vendor="ACME")

    # when
    services.vendor_activate(vendor="ACME")
    updated = services.vendor_update(vendor="ACME", city="Dallas")

    # then
    assert (updated.inactive, Vendor.objects.get().city) == (False, "Dallas")


def test_assert_vendor_active_refuses_an_inactive_vendor(vendor):
    # given
    inactive = services.vendor_inactivate(vendor="ACME")

    # when
    with pytest.raises(SageError) as error:
        services.assert_vendor_active(inactive)

    # then
    assert error.value.message == "Vendor is inactive/has been archived."


def test_vendor_update_changes_only_the_given_fields_and_checks_them(vendor):
    # when
    updated = services.vendor_update(vendor="ACME", telephone="512-555-0199")
    error = refused(services.vendor_update, vendor="ACME", name="n" * 31)

    # then
    assert (updated.telephone, updated.city, updated.name) == ("512-555-0199", "Austin", "Acme Concrete")
    assert error.message == "[Name] is too long, maximum length is 30 characters."


def test_updating_a_missing_vendor_is_entity_not_found():
    # when
    error = refused(services.vendor_update, vendor="NOPE", city="Austin")

    # then
    assert error.message == "Entity with this ID not found."


def test_vendor_insurance_set_records_and_replaces_one_policy_per_type(vendor):
    # when
    services.vendor_insurance_set(
        vendor="ACME",
        insurance_type="General Liability",
        policy_number="GL-1",
        insurance_company="Lone Star Mutual",
        limit=Decimal("1000000.00"),
        effective_date=datetime.date(2025, 1, 1),
        expiration_date=datetime.date(2025, 12, 31),
    )
    replaced = services.vendor_insurance_set(
        vendor="ACME", insurance_type="General Liability", policy_number="GL-2", limit="2000000"
    )

    # then
    assert list(VendorInsurance.objects.values_list("insurance_type", "policy_number", "limit", "effective_date")) == [
        ("General Liability", "GL-2", Decimal("2000000.00"), None)
    ]
    assert replaced.vendor_id == "ACME"


def test_vendor_insurance_refuses_bad_types_dates_and_missing_vendors(vendor):
    # when
    bad_type = refused(services.vendor_insurance_set, vendor="ACME", insurance_type="Flood")
    bad_dates = refused(
        services.vendor_insurance_set,
        vendor="ACME",
        insurance_type="Umbrella",
        effective_date=datetime.date(2025, 6, 1),
        expiration_date=datetime.date(2025, 5, 31),
    )
    no_vendor = refused(services.vendor_insurance_set, vendor="NOPE", insurance_type="Umbrella")

    # then
    assert bad_type.message == "[InsuranceType] has an invalid value: Flood."
    assert bad_dates.message == "Expiration date must be on or after the effective date."
    assert no_vendor.message == "No entities could be found of type [Vendor] with given where clause."


def test_vendor_insurance_remove_deletes_the_policy_of_that_type(vendor):
    # given
    services.vendor_insurance_set(vendor="ACME", insurance_type="Automobile")
    services.vendor_insurance_set(vendor="ACME", insurance_type="Worker's")

    # when
    services.vendor_insurance_remove(vendor="ACME", insurance_type="Automobile")
    missing = refused(services.vendor_insurance_remove, vendor="ACME", insurance_type="Automobile")

    # then
    assert list(VendorInsurance.objects.values_list("insurance_type", flat=True)) == ["Worker's"]
    assert missing.message == "Entity with this ID not found."

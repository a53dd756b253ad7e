from datetime import date
from decimal import Decimal

import pytest

from apps.companies.models import Company, CompanyInsurance
from apps.companies.services import (
    ERP_COMPANY_ID_IS_FIXED,
    company_archive,
    company_create,
    company_insurance_upsert,
    company_unarchive,
    company_update,
    company_vendor_limit_errors,
)
from apps.core.exceptions import Conflict, ValidationFailed
from apps.access.models import Level
from tests.access.helpers import make_user
from apps.erp.item_types import ItemType
from apps.erp.services import erp_link
from tests.companies.helpers import linked_company


def test_a_company_is_created_with_trimmed_fields_and_history_of_who_did_it():
    # given
    user = make_user(directory=Level.STANDARD)

    # when
    company = company_create(name="  Acme Concrete ", city="Chicago", actor=user)

    # then
    stored = Company.objects.get()
    assert (stored.name, stored.city, stored.erp_company_id, stored.is_archived) == ("Acme Concrete", "Chicago", None, False)
    assert company.history.get().history_user == user


def test_company_create_cannot_link_a_vendor_only_the_engine_does():
    # A company is linked to a Sage vendor by an export, a link or an import, each through the ERP engine.
    with pytest.raises(TypeError):
        company_create(name="Acme", erp_company_id="V100")  # type: ignore[call-arg]
    assert not Company.objects.exists()


def test_many_unlinked_companies_can_exist():
    company_create(name="One")
    company_create(name="Two")

    assert list(Company.objects.values_list("erp_company_id", flat=True)) == [None, None]


def test_a_company_needs_a_name_and_a_valid_email_and_nothing_is_created_otherwise():
    with pytest.raises(ValidationFailed) as refused:
        company_create(name=" ", email="not-an-email")

    assert refused.value.errors == {
        "name": ["This field cannot be blank."],
        "email": ["Enter a valid email address."],
    }
    assert not Company.objects.exists()


def test_an_erp_company_id_links_one_company_only():
    # given
    linked_company(name="Acme", erp_company_id="V100")

    duplicate = company_create(name="Acme (duplicate)")

    # when
    with pytest.raises(Conflict) as refused:
        erp_link(item_type=ItemType.COMPANY, obj=duplicate, erp_id="V100")

    # then
    assert refused.value.message == "ERP Company ID V100 is already taken by company Acme; enter another one."
    duplicate.refresh_from_db()
    assert (duplicate.erp_company_id, duplicate.erp_status) == (None, "not_in_erp")


def test_an_update_changes_only_the_changed_fields():
    # given
    company = linked_company(name="Acme", city="Chicago", erp_company_id="V100")
    before = Company.objects.get().updated_at

    # when
    company_update(company=company, data={"city": "Chicago", "business_phone": "312-555-0100", "erp_company_id": "V100"})

    # then
    stored = Company.objects.get()
    assert (stored.city, stored.business_phone, stored.erp_company_id) == ("Chicago", "312-555-0100", "V100")
    assert stored.updated_at > before
    assert stored.history.count() == 3  # created, linked, updated


def test_an_update_without_changes_writes_nothing():
    company = company_create(name="Acme")
    before = Company.objects.get().updated_at

    company_update(company=company, data={"name": "Acme"})

    assert Company.objects.get().updated_at == before
    assert company.history.count() == 1


@pytest.mark.parametrize(
    ("data", "errors"),
    [
        ({"erp_company_id": "V200"}, {"erp_company_id": [ERP_COMPANY_ID_IS_FIXED]}),
        ({"erp_company_id": None}, {"erp_company_id": [ERP_COMPANY_ID_IS_FIXED]}),
        ({"is_archived": True}, {"is_archived": ["Archive or unarchive the company with its own action."]}),
        ({"erp_inactive": True}, {"erp_inactive": ["Whether the vendor is inactive comes from Sage 300 CRE."]}),
        ({"name": ""}, {"name": ["This company is synced with Sage 300 CRE, so its name is locked; unlink it first (Unlink, on the company's page)."]}),
    ],
)
def test_an_update_refuses_fields_it_does_not_own_and_changes_nothing(data, errors):
    # given
    company = linked_company(name="Acme", erp_company_id="V100")

    # when
    with pytest.raises(ValidationFailed) as refused:
        company_update(company=company, data=data)

    # then
    assert refused.value.errors == errors
    stored = Company.objects.get()
    assert (stored.name, stored.erp_company_id, stored.is_archived, stored.erp_inactive) == ("Acme", "V100", False, False)


def test_archive_and_unarchive():
    # given
    company = company_create(name="Acme")

    # when / then
    company_archive(company=company)
    assert Company.objects.get().is_archived is True
    with pytest.raises(Conflict) as refused:
        company_archive(company=company)
    assert refused.value.message == "Acme is already archived."

    company_unarchive(company=company)
    assert Company.objects.get().is_archived is False
    with pytest.raises(Conflict) as refused:
        company_unarchive(company=company)
    assert refused.value.message == "Acme is not archived."


def test_vendor_limits_use_sages_messages():
    assert company_vendor_limit_errors(values={"name": "N" * 30, "city": "C" * 16, "zip": "1234567890"}) == {
        "city": ["Sage 300 CRE holds at most 15 characters for a city; shorten it. "
                 "Sage says: [City] is too long, maximum length is 15 characters."]
    }
    assert company_vendor_limit_errors(values={"name": "N" * 31}) == {
        "name": ["Sage 300 CRE holds at most 30 characters for a name; shorten it. "
                 "Sage says: [Name] is too long, maximum length is 30 characters."]
    }


# --- insurance ---------------------------------------------------------------------------


def test_insurance_from_sage_is_upserted_once_per_type():
    # given
    company = linked_company(name="Acme", erp_company_id="V100")

    # when
    company_insurance_upsert(
        company=company, insurance_type="general_liability", policy_number="GL-1", limit_amount="1000000", from_erp=True
    )
    company_insurance_upsert(
        company=company,
        insurance_type="general_liability",
        policy_number="GL-2",
        limit_amount=Decimal("2000000.00"),
        effective_date=date(2026, 1, 1),
        expiration_date=date(2026, 12, 31),
        from_erp=True,
    )

    # then
    assert list(
        CompanyInsurance.objects.values_list("insurance_type", "policy_number", "limit_amount", "imported_from_erp")
    ) == [("general_liability", "GL-2", Decimal("2000000.00"), True)]


def test_insurance_is_imported_only_for_linked_companies():
    company = company_create(name="Acme")

    with pytest.raises(ValidationFailed) as refused:
        company_insurance_upsert(company=company, insurance_type="umbrella", from_erp=True)

    assert refused.value.errors == {
        "company": [
            "Insurance is imported only for companies linked to a Sage 300 CRE vendor; Acme is not linked."
        ]
    }
    assert not CompanyInsurance.objects.exists()


def test_a_policy_imported_from_sage_is_not_edited_by_hand():
    # given
    company = linked_company(name="Acme", erp_company_id="V100")
    company_insurance_upsert(company=company, insurance_type="automobile", policy_number="AU-1", from_erp=True)

    # when
    with pytest.raises(ValidationFailed) as refused:
        company_insurance_upsert(company=company, insurance_type="automobile", policy_number="changed")

    # then
    assert refused.value.errors == {
        "insurance_type": ["The Automobile policy of Acme is imported from Sage 300 CRE; change it in Sage 300 CRE."]
    }
    assert CompanyInsurance.objects.get().policy_number == "AU-1"


def test_insurance_dates_and_limit_are_checked():
    company = linked_company(name="Acme", erp_company_id="V100")

    with pytest.raises(ValidationFailed) as refused:
        company_insurance_upsert(
            company=company,
            insurance_type="workers",
            limit_amount="-5",
            effective_date=date(2026, 6, 1),
            expiration_date=date(2026, 1, 1),
        )

    assert refused.value.errors == {
        "limit_amount": ["The limit cannot be negative."],
        "expiration_date": ["The expiration date is before the effective date."],
    }
    assert not CompanyInsurance.objects.exists()

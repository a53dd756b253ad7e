from apps.companies.selectors import company_insurance_list, company_list
from apps.companies.services import company_archive, company_create, company_insurance_upsert
from tests.companies.helpers import linked_company


def test_company_list_filters():
    # given
    acme = linked_company(name="Acme Concrete", city="Chicago", erp_company_id="V100")
    beta = company_create(name="Beta Builders", city="Springfield")
    company_archive(company=linked_company(name="Old Vendor", erp_company_id="V900"))

    # then
    assert [c.name for c in company_list()] == ["Acme Concrete", "Beta Builders", "Old Vendor"]
    assert list(company_list(filters={"is_archived": False})) == [acme, beta]
    assert [c.name for c in company_list(filters={"erp_linked": True})] == ["Acme Concrete", "Old Vendor"]
    assert list(company_list(filters={"erp_linked": False})) == [beta]
    assert list(company_list(filters={"search": "v100"})) == [acme]
    assert list(company_list(filters={"search": "spring"})) == [beta]
    assert list(company_list(filters={"erp_inactive": True})) == []


def test_company_insurance_list_reads_the_company_in_the_same_query(django_assert_num_queries):
    # given
    for number in range(3):
        company = linked_company(name=f"Vendor {number}", erp_company_id=f"V{number}")
        company_insurance_upsert(company=company, insurance_type="umbrella", policy_number=f"U-{number}", from_erp=True)

    # when
    with django_assert_num_queries(1):
        rows = [(i.company.name, i.policy_number) for i in company_insurance_list(filters={"imported_from_erp": True})]

    # then
    assert rows == [("Vendor 0", "U-0"), ("Vendor 1", "U-1"), ("Vendor 2", "U-2")]


def test_with_a_user_the_directory_is_all_there_or_empty_by_the_directory_level():
    from apps.access.models import Level
    from tests.access.helpers import make_user

    acme = linked_company(name="Acme Concrete", erp_company_id="V100")
    company_insurance_upsert(company=acme, insurance_type="umbrella", policy_number="U-1")
    reader, outsider = make_user(directory=Level.READ_ONLY), make_user(erp=Level.ADMIN)

    assert (list(company_list(user=reader)), [i.policy_number for i in company_insurance_list(user=reader)]) == ([acme], ["U-1"])
    assert (list(company_list(user=outsider)), list(company_insurance_list(user=outsider))) == ([], [])

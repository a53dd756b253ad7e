from apps.companies.services import company_create
from apps.companies.models import Company
from tests.companies.helpers import linked_company


def test_any_of_matches_exactly_the_listed_values():
    for name, vendor in (("Acme", "ACME"), ("Bright", "BRIGHT")):
        linked_company(name=name, erp_company_id=vendor)
    company_create(name="Cobalt")

    assert sorted(Company.objects.filter(erp_company_id__any_of=["ACME", "NOPE", "BRIGHT"]).values_list("name", flat=True)) == [
        "Acme", "Bright"
    ]
    assert not Company.objects.filter(erp_company_id__any_of=[]).exists()

"""What the project cost code pickers offer (issue 8): the project's own sub jobs, active codes and types only.

Before, the sub job picker listed every project's sub jobs and deactivated codes and cost types were offered,
then refused on save."""

import pytest
from django.urls import reverse

from apps.projects.models import SubJob
from apps.projects.services import sub_job_create
from apps.wbs.api import ProjectCostCodeCreateSerializer, ProjectCostCodeUpdateSerializer
from apps.wbs.models import CostType, ProjectCostCode, StandardCostCode
from apps.wbs.services import (
    cost_types_upsert,
    project_cost_code_add_from_standard,
    standard_cost_code_deactivate,
)
from tests.access.helpers import api_client
from tests.wbs.helpers import cost_types, erp_list, project, standard_codes

AUTOCOMPLETE = "/admin/autocomplete/"


@pytest.fixture
def two_projects():
    cost_types("L", "M")
    cost_types_upsert(rows=[{"code": "M", "description": "M", "is_active": False}])
    erp = erp_list()
    standard_codes(erp, {"code": "01-100", "description": "Supervision"}, {"code": "02-200", "description": "Sitework"})
    standard_cost_code_deactivate(standard_cost_code=StandardCostCode.objects.get(code="02-200"))
    first, second = project("1001", cost_code_list=erp), project("1002", cost_code_list=erp)
    sub_job_create(project=first, code="01", name="Phase 1")
    sub_job_create(project=second, code="77", name="Other job's phase")
    return first, second


def offered(client, model_name, field_name, **extra):
    response = client.get(AUTOCOMPLETE, {"app_label": "wbs", "model_name": model_name, "field_name": field_name,
                                         "term": "", **extra})
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


def test_the_sub_job_picker_offers_only_the_chosen_projects_sub_jobs(admin_client, two_projects):
    first, _ = two_projects

    assert offered(admin_client, "projectcostcode", "sub_job", project=first.pk) == [str(first.sub_jobs.get())]
    assert offered(admin_client, "projectcostcode", "sub_job") == []  # no project chosen yet
    assert offered(admin_client, "projectcostcode", "sub_job", project="²") == []


def test_the_standard_code_picker_offers_active_codes_only(admin_client, two_projects):
    first, _ = two_projects

    codes = offered(admin_client, "projectcostcode", "standard_cost_code", project=first.pk)

    assert len(codes) == 1 and "01-100" in codes[0]


def test_the_cost_type_picker_of_a_project_cost_code_offers_active_types_only(admin_client, two_projects):
    first, _ = two_projects
    project_cost_code_add_from_standard(project=first, standard_cost_code=StandardCostCode.objects.get(code="01-100"))

    types = offered(admin_client, "projectcosttype", "cost_type")

    assert [t for t in types if t.startswith("M")] == [] and any(t.startswith("L") for t in types)


def test_the_add_page_sends_the_chosen_project_with_its_pickers(admin_client, two_projects):
    page = admin_client.get(reverse("admin:wbs_projectcostcode_add")).content.decode()

    assert "wbs/project_cost_code_form.js" in page


def test_the_api_form_offers_active_codes_and_cost_types_only(admin_user, two_projects):
    context = {"user": admin_user}

    codes = ProjectCostCodeCreateSerializer(context=context).fields["standard_cost_code"].get_choices()
    types = ProjectCostCodeUpdateSerializer(context=context).fields["cost_types"].child_relation.get_choices()

    assert [StandardCostCode.objects.get(pk=pk).code for pk in codes] == ["01-100"]
    assert list(types) == ["L"]


def test_the_api_refuses_another_projects_sub_job_on_the_field(admin_user, two_projects):
    first, second = two_projects
    api = api_client(admin_user)

    response = api.post("/api/v1/project-cost-codes/", {
        "project": first.pk, "sub_job": second.sub_jobs.get().pk,
        "standard_cost_code": StandardCostCode.objects.get(code="01-100").pk,
    }, format="json")

    assert response.status_code == 400
    assert response.json()["errors"] == {"sub_job": ["Sub job 77 belongs to another project."]}
    assert not ProjectCostCode.objects.exists()

import pytest

from apps.core.exceptions import ApplicationError, ValidationFailed
from apps.projects.models import Project, SubJob
from apps.projects.services import (
    SAGE_JOB_ID_IS_READ_ONLY,
    project_create,
    project_update,
    sub_job_create,
    sub_job_delete,
    sub_job_update,
)
from apps.wbs.models import StandardCostCode
from apps.wbs.services import cost_code_list_update, project_cost_code_add_from_standard
from apps.access.models import Level
from tests.access.helpers import make_user
from tests.wbs.helpers import custom_list, erp_list, project, standard_codes


def integrate(project_, sage_job_id="J-1"):
    """What the ERP engine does on export; no service here may set the Sage Job ID."""
    Project.objects.filter(pk=project_.pk).update(sage_job_id=sage_job_id)
    project_.refresh_from_db()
    return project_


def test_a_project_uses_the_erp_list_by_default_and_records_who_created_it():
    # given
    erp = erp_list()
    user = make_user(company_admin=Level.STANDARD)

    # when
    created = project_create(number=" 1001 ", name="Warehouse", city="Chicago", actor=user)

    # then
    stored = Project.objects.get()
    assert (stored.number, stored.name, stored.city, stored.cost_code_list, stored.sage_job_id) == (
        "1001",
        "Warehouse",
        "Chicago",
        erp,
        None,
    )
    assert created.history.get().history_user == user


def test_without_an_erp_list_a_project_has_no_list_until_one_is_chosen():
    created = project_create(number="1001", name="Warehouse")

    assert created.cost_code_list is None


def test_a_project_can_use_a_custom_list():
    custom = custom_list()
    erp_list()

    created = project_create(number="1001", name="Warehouse", cost_code_list=custom)

    assert created.cost_code_list == custom


def test_a_list_not_available_for_new_projects_is_refused():
    # given
    custom = custom_list()
    cost_code_list_update(cost_code_list=custom, data={"available_for_new_projects": False})

    # when
    with pytest.raises(ValidationFailed) as refused:
        project_create(number="1001", name="Warehouse", cost_code_list=custom)

    # then
    assert refused.value.errors == {
        "cost_code_list": [
            "The list 'Company custom list' is not available for new projects; switch on 'Available for use on new "
            "projects' on the list first."
        ]
    }
    assert not Project.objects.exists()


@pytest.mark.parametrize(
    ("arguments", "errors"),
    [
        ({"number": "1001", "name": "Other"}, {"number": ["Project number 1001 is already used by another project."]}),
        ({"number": "  ", "name": ""}, {"number": ["This field cannot be blank."], "name": ["This field cannot be blank."]}),
        ({"number": "1002", "name": "X", "stage": "demolished"}, {"stage": ["Value 'demolished' is not a valid choice."]}),
        ({"number": "1" * 31, "name": "X"}, {"number": ["Ensure this value has at most 30 characters (it has 31)."]}),
    ],
)
def test_project_create_refusals_change_nothing(arguments, errors):
    # given
    project_create(number="1001", name="Warehouse")

    # when
    with pytest.raises(ValidationFailed) as refused:
        project_create(**arguments)

    # then
    assert refused.value.errors == errors
    assert list(Project.objects.values_list("number", flat=True)) == ["1001"]


def test_project_update_changes_only_changed_fields():
    # given
    job = project("1001", city="Chicago")
    before = Project.objects.get().updated_at

    # when
    project_update(project=job, data={"name": "Warehouse B", "city": "Chicago"})

    # then
    stored = Project.objects.get()
    assert (stored.name, stored.city) == ("Warehouse B", "Chicago")
    assert stored.updated_at > before
    assert stored.history.count() == 2


def test_the_sage_job_id_cannot_be_edited_and_nothing_changes():
    # given
    job = integrate(project("1001"))

    # when
    with pytest.raises(ValidationFailed) as refused:
        project_update(project=job, data={"sage_job_id": "J-2", "name": "Renamed"})

    # then
    assert refused.value.errors == {"sage_job_id": [SAGE_JOB_ID_IS_READ_ONLY]}
    stored = Project.objects.get()
    assert (stored.sage_job_id, stored.name) == ("J-1", "Warehouse")


def test_an_integrated_project_keeps_the_erp_list():
    # given
    erp_list()
    custom = custom_list()
    job = integrate(project("1001"))

    # when
    with pytest.raises(ValidationFailed) as refused:
        project_update(project=job, data={"cost_code_list": custom})

    # then
    assert refused.value.errors == {
        "cost_code_list": [
            "Project 1001 is integrated with Sage 300 CRE and must keep the Sage 300 CRE standard cost code list."
        ]
    }
    assert Project.objects.get().cost_code_list.name == "Sage 300 CRE Standard Cost Codes"


def test_the_list_of_a_project_with_cost_codes_cannot_change():
    # given
    erp = erp_list()
    standard_codes(erp, {"code": "01-100", "description": "Supervision"})
    custom = custom_list()
    job = project("1001")
    project_cost_code_add_from_standard(project=job, standard_cost_code=StandardCostCode.objects.get())

    # when
    with pytest.raises(ValidationFailed) as refused:
        project_update(project=job, data={"cost_code_list": custom})

    # then
    assert refused.value.errors == {
        "cost_code_list": ["Project 1001 already has cost codes from its list; the list cannot change."]
    }
    assert Project.objects.get().cost_code_list == erp


# --- sub jobs ---------------------------------------------------------------------------


def test_sub_jobs_are_created_and_renamed():
    # given
    job = project("1001")

    # when
    phase = sub_job_create(project=job, code=" 01 ", name="Phase 1")
    sub_job_update(sub_job=phase, data={"name": "Phase one"})

    # then
    assert list(SubJob.objects.values_list("code", "name")) == [("01", "Phase one")]


def test_a_sub_job_code_is_unique_within_its_project():
    # given
    job, other = project("1001"), project("1002")
    sub_job_create(project=job, code="01", name="Phase 1")
    sub_job_create(project=other, code="01", name="Phase 1")

    # when
    with pytest.raises(ValidationFailed) as refused:
        sub_job_create(project=job, code="01", name="Again")

    # then
    assert refused.value.errors == {"code": ["Project 1001 already has a sub job 01."]}
    assert SubJob.objects.count() == 2


def test_a_sub_job_with_cost_codes_cannot_be_deleted():
    # given
    erp = erp_list()
    standard_codes(erp, {"code": "01-100", "description": "Supervision"}, {"code": "01-200", "description": "Cleanup"})
    job = project("1001")
    phase = sub_job_create(project=job, code="01", name="Phase 1")
    for code in StandardCostCode.objects.all():
        project_cost_code_add_from_standard(project=job, standard_cost_code=code, sub_job=phase)

    # when
    with pytest.raises(ApplicationError) as refused:
        sub_job_delete(sub_job=phase)

    # then
    assert refused.value.message == (
        "Sub job 01 (Phase 1) of project 1001 cannot be deleted while cost codes are tied to it (01-100, 01-200); "
        "remove those cost codes from the sub job first."
    )
    assert SubJob.objects.count() == 1


def test_a_sub_job_without_cost_codes_is_deleted():
    job = project("1001")
    phase = sub_job_create(project=job, code="01", name="Phase 1")

    sub_job_delete(sub_job=phase)

    assert not SubJob.objects.exists()


def test_the_creator_of_a_project_joins_its_team_with_the_creator_template(db):
    from apps.access.models import Level, PermissionTemplate
    from apps.access.selectors import visible_projects
    from apps.projects.services import project_create
    from tests.access.helpers import make_user

    creator_template = PermissionTemplate.objects.create(
        name="Creator", scope="project", project_admin=Level.ADMIN, assign_to_project_creator=True
    )
    pm = make_user(company_admin=Level.STANDARD)

    project = project_create(number="C-1", name="Created by the PM", actor=pm)

    assert list(visible_projects(pm)) == [project]
    assert project.memberships.get().template == creator_template

import pytest
from django.urls import reverse

from apps.projects.models import Project, SubJob
from apps.projects.services import project_update, sub_job_create
from apps.wbs.models import ProjectCostCode, StandardCostCode
from apps.wbs.services import project_cost_code_add_from_standard
from tests.wbs.helpers import erp_list, project, standard_codes


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def project_form(**overrides):
    data = {
        "number": "1001",
        "name": "Warehouse",
        "stage": "pre_construction",
        "is_active": "on",
        "address": "",
        "city": "Chicago",
        "state": "IL",
        "zip": "",
        "cost_code_list": "",
        "sub_jobs-TOTAL_FORMS": "0",
        "sub_jobs-INITIAL_FORMS": "0",
        "cost_codes-TOTAL_FORMS": "0",
        "cost_codes-INITIAL_FORMS": "0",
    }
    data.update(overrides)
    return data


@pytest.fixture
def job_with_codes():
    """Project 1001 on the ERP list, with sub job 01 holding cost code 01-100, and a free sub job 02."""
    erp = erp_list()
    standard_codes(erp, {"code": "01-100", "description": "Supervision"})
    job = project("1001")
    phase = sub_job_create(project=job, code="01", name="Phase 1")
    sub_job_create(project=job, code="02", name="Phase 2")
    project_cost_code_add_from_standard(project=job, standard_cost_code=StandardCostCode.objects.get(), sub_job=phase)
    return job


@pytest.mark.parametrize("model", [Project, SubJob])
def test_admin_pages_of_every_project_model_render(admin_client, job_with_codes, model):
    obj = job_with_codes if model is Project else job_with_codes.sub_jobs.get(code="01")

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "changelist") + "?q=1001").status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_a_project_and_its_sub_jobs_are_added_through_the_services(admin_client, admin_user):
    # given
    erp = erp_list()

    # when
    response = admin_client.post(
        admin_url(Project, "add"),
        project_form(
            **{
                "sub_jobs-TOTAL_FORMS": "1",
                "sub_jobs-0-code": "01",
                "sub_jobs-0-name": "Phase 1",
            }
        ),
    )

    # then
    assert response.status_code == 302
    created = Project.objects.get()
    assert (created.number, created.cost_code_list, created.sage_job_id) == ("1001", erp, None)
    assert list(created.sub_jobs.values_list("code", "name")) == [("01", "Phase 1")]
    assert created.history.get().history_user == admin_user


def test_a_duplicate_project_number_is_shown_on_the_form(admin_client):
    project("1001")

    response = admin_client.post(admin_url(Project, "add"), project_form(name="Other"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "number": ["Project number 1001 is already used by another project."]
    }
    assert Project.objects.count() == 1


def test_a_state_sage_cannot_hold_is_refused_when_the_form_is_saved(admin_client):
    # Issue 8: "Texas" (Sage holds 4 characters for a job's state) passed the form and failed only at export.
    erp_list()

    response = admin_client.post(admin_url(Project, "add"), project_form(state="Texas"))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "state": ["Sage 300 CRE holds at most 4 characters for a state; shorten it. "
                  "Sage says: [AddressState] is too long, maximum length is 4 characters."]
    }
    assert not Project.objects.exists()


def test_a_sub_job_name_sage_cannot_hold_is_refused_on_the_project_form(admin_client):
    erp_list()

    response = admin_client.post(admin_url(Project, "add"), project_form(**{
        "sub_jobs-TOTAL_FORMS": "1", "sub_jobs-0-code": "01", "sub_jobs-0-name": "N" * 31,
    }))

    assert response.status_code == 200
    assert "Sage 300 CRE holds at most 30 characters for a name" in response.content.decode()
    assert not Project.objects.exists()


def test_the_sage_job_id_is_read_only_in_the_admin(admin_client):
    # given
    job = project("1001")
    Project.objects.filter(pk=job.pk).update(sage_job_id="J-1")

    # when
    response = admin_client.post(admin_url(Project, "change", job.pk), project_form(name="Renamed", sage_job_id="J-9"))

    # then
    assert response.status_code == 302
    assert list(Project.objects.values_list("name", "sage_job_id")) == [("Renamed", "J-1")]


def test_deleting_a_sub_job_with_cost_codes_from_the_project_form_is_refused_with_the_reason(admin_client, job_with_codes):
    # given
    phase_1, phase_2 = job_with_codes.sub_jobs.order_by("code")
    code = job_with_codes.cost_codes.get()

    # when
    response = admin_client.post(
        admin_url(Project, "change", job_with_codes.pk),
        project_form(
            cost_code_list=job_with_codes.cost_code_list_id,
            **{
                "sub_jobs-TOTAL_FORMS": "2",
                "sub_jobs-INITIAL_FORMS": "2",
                "sub_jobs-0-id": phase_1.pk,
                "sub_jobs-0-project": job_with_codes.pk,
                "sub_jobs-0-code": "01",
                "sub_jobs-0-name": "Phase 1",
                "sub_jobs-0-DELETE": "on",
                "sub_jobs-1-id": phase_2.pk,
                "sub_jobs-1-project": job_with_codes.pk,
                "sub_jobs-1-code": "02",
                "sub_jobs-1-name": "Phase 2",
                "cost_codes-TOTAL_FORMS": "1",
                "cost_codes-INITIAL_FORMS": "1",
                "cost_codes-0-id": code.pk,
                "cost_codes-0-project": job_with_codes.pk,
            },
        ),
    )

    # then
    assert response.status_code == 200
    sub_job_formset = response.context["inline_admin_formsets"][0].formset
    assert sub_job_formset.errors[0] == {
        "__all__": [
            "Sub job 01 (Phase 1) of project 1001 cannot be deleted while cost codes are tied to it (01-100); "
            "remove those cost codes from the sub job first."
        ]
    }
    assert SubJob.objects.count() == 2


def test_a_free_sub_job_is_deleted_from_the_project_form(admin_client, job_with_codes):
    # given
    phase_1, phase_2 = job_with_codes.sub_jobs.order_by("code")
    code = job_with_codes.cost_codes.get()

    # when
    response = admin_client.post(
        admin_url(Project, "change", job_with_codes.pk),
        project_form(
            cost_code_list=job_with_codes.cost_code_list_id,
            **{
                "sub_jobs-TOTAL_FORMS": "2",
                "sub_jobs-INITIAL_FORMS": "2",
                "sub_jobs-0-id": phase_1.pk,
                "sub_jobs-0-project": job_with_codes.pk,
                "sub_jobs-0-code": "01",
                "sub_jobs-0-name": "Phase 1",
                "sub_jobs-1-id": phase_2.pk,
                "sub_jobs-1-project": job_with_codes.pk,
                "sub_jobs-1-code": "02",
                "sub_jobs-1-name": "Phase 2",
                "sub_jobs-1-DELETE": "on",
                "cost_codes-TOTAL_FORMS": "1",
                "cost_codes-INITIAL_FORMS": "1",
                "cost_codes-0-id": code.pk,
                "cost_codes-0-project": job_with_codes.pk,
            },
        ),
    )

    # then
    assert response.status_code == 302
    assert list(SubJob.objects.values_list("code", flat=True)) == ["01"]


def test_the_sub_job_delete_page_refuses_while_cost_codes_are_tied(admin_client, job_with_codes):
    # Issue 8: no Delete button the service always refuses; the delete page answers with the reason.
    phase_1 = job_with_codes.sub_jobs.get(code="01")

    page = admin_client.get(admin_url(SubJob, "change", phase_1.pk)).content.decode()
    response = admin_client.post(admin_url(SubJob, "delete", phase_1.pk), {"post": "yes"}, follow=True)

    assert admin_url(SubJob, "delete", phase_1.pk) not in page
    assert response.redirect_chain == [(admin_url(SubJob, "change", phase_1.pk), 302)]
    assert "cannot be deleted while cost codes are tied to it (01-100)" in response.content.decode()
    assert SubJob.objects.filter(pk=phase_1.pk).exists()


def test_a_free_sub_job_is_deleted_from_its_page(admin_client, job_with_codes):
    phase_2 = job_with_codes.sub_jobs.get(code="02")

    response = admin_client.post(admin_url(SubJob, "delete", phase_2.pk), {"post": "yes"})

    assert response.status_code == 302
    assert list(SubJob.objects.values_list("code", flat=True)) == ["01"]


def test_project_history_is_view_only(admin_client):
    # given
    job = project("1001")
    project_update(project=job, data={"name": "Renamed"})
    first = job.history.earliest()
    url = reverse("admin:projects_project_simple_history", args=[job.pk, first.history_id])

    # when
    viewed = admin_client.get(url)
    reverted = admin_client.post(url, project_form(name="Warehouse", _change_history="1"))

    # then
    assert (viewed.status_code, reverted.status_code) == (200, 403)
    assert Project.objects.get().name == "Renamed"


def test_project_specific_codes_are_marked_on_the_project_page(admin_client, job_with_codes):
    # given: a code Sage created for this job only (R34)
    ProjectCostCode.objects.create(project=job_with_codes, code="99-001", description="Extras", is_project_specific=True)

    # when
    response = admin_client.get(admin_url(Project, "change", job_with_codes.pk))

    # then
    html = response.content.decode()
    assert '<strong style="color:#1d4ed8">99-001</strong>' in html
    assert html.count(">project-specific</span>") == 1


def changelist_queries(client, model) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(admin_url(model, "changelist")).status_code == 200
    return len(queries)


def test_changelist_queries_do_not_grow_with_the_number_of_rows(admin_client):
    # given
    erp_list()
    for number in range(2):
        sub_job_create(project=project(f"10{number:02}"), code="01", name="Phase 1")
    few = {model: changelist_queries(admin_client, model) for model in (Project, SubJob)}

    # when
    for number in range(2, 25):
        sub_job_create(project=project(f"10{number:02}"), code="01", name="Phase 1")
    many = {model: changelist_queries(admin_client, model) for model in (Project, SubJob)}

    # then
    assert many == few


def test_a_project_sage_has_shows_no_delete_and_its_delete_page_says_why(admin_client):
    # Issue 8: Delete was offered on a project in Sage and always refused.
    job = project("1001")
    Project.objects.filter(pk=job.pk).update(sage_job_id="J-1001")

    page = admin_client.get(admin_url(Project, "change", job.pk)).content.decode()
    response = admin_client.post(admin_url(Project, "delete", job.pk), {"post": "yes"}, follow=True)

    assert admin_url(Project, "delete", job.pk) not in page
    assert "is integrated with Sage 300 CRE (job J-1001) and cannot be deleted" in response.content.decode()
    assert Project.objects.filter(pk=job.pk).exists()


def test_a_project_member_sees_the_sub_jobs_and_cost_codes_on_the_project_page(client, job_with_codes):
    """Django asks an inline's view permission without the parent (InlineModelAdmin.get_queryset), which the
    rules answered for a new, empty project: every inline row vanished for anyone but a superuser."""
    from apps.access.models import Level
    from tests.access.helpers import join, make_user

    project_ = Project.objects.get()
    sub_job_create(project=project_, code="SJ-77", name="East wing")
    member = make_user()
    join(member, project_, project_admin=Level.READ_ONLY)
    client.force_login(member)

    page = client.get(admin_url(Project, "change", project_.pk)).content.decode()

    assert "SJ-77" in page and "East wing" in page
    assert any(code.code in page for code in ProjectCostCode.objects.filter(project=project_))

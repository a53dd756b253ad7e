"""Job Setup (seed workflow 1) both ways, Sub Job Setup (workflow 2), through the services."""

from __future__ import annotations

import pytest

from apps.erp.item_types import ItemType
from apps.core.exceptions import Conflict, PermissionRefused, ValidationFailed
from apps.projects.erp import extra_import_as_sub_job, job_add_as_project
from apps.erp import services
from apps.erp.services import erp_settings_save
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import ErpTransition, ExportAttempt, StagedRecord, SyncRun
from apps.erp.sync import sync_start
from apps.projects.models import Project, SubJob
from apps.projects.services import project_create, sub_job_create
from apps.sage300.models import Category, CostCode, Extra, Job
from apps.wbs.models import CostType, ProjectCostCode, StandardCostCode
from apps.wbs.services import project_cost_code_add_from_standard


@pytest.fixture
def project(synced_cost_codes, pm, join_project):
    project = project_create(number="26-105", name="McKinney Fire Station No. 9", address="100 Main St",
                             city="McKinney", state="TX", zip="75069")
    for code in ("01-100", "03-300"):
        standard = StandardCostCode.objects.get(code=code)
        project_cost_code_add_from_standard(
            project=project, standard_cost_code=standard, cost_types=list(CostType.objects.filter(code__in=["L", "M"]))
        )
    join_project(pm, project)
    return project


def accept(project, approver, django_capture_on_commit_callbacks, **fields):
    with django_capture_on_commit_callbacks(execute=True):
        services.erp_accept(item_type=ItemType.PROJECT, obj=project, actor=approver, fields=fields)
    project.refresh_from_db()
    return project


def test_project_exported_as_a_sage_job_with_cost_codes_and_categories(
    project, pm, approver, django_capture_on_commit_callbacks
):
    # given: the PM sends the project (R39, P#11)
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pm)
    project.refresh_from_db()
    assert project.erp_status == ErpStatus.READY_TO_EXPORT

    # when: the approver accepts with the Sage Job ID (R41)
    project = accept(project, approver, django_capture_on_commit_callbacks, sage_job_id="26-105A")

    # then: Sage has the job, its cost codes and categories (R44, R248–R255)
    assert project.erp_status == ErpStatus.SYNCED
    assert project.sage_job_id == "26-105A"
    job = Job.objects.get(job="26-105A")
    assert (job.description, job.address_1, job.city, job.state, job.zip_code) == (
        "McKinney Fire Station No. 9", "100 Main St", "McKinney", "TX", "75069"
    )
    assert sorted(CostCode.objects.filter(job=job).values_list("cost_code", "description")) == [
        ("01-100", "Supervision"), ("03-300", "Cast-in-Place Concrete"),
    ]
    assert sorted(Category.objects.filter(cost_code__job=job).values_list("cost_code__cost_code", "category")) == [
        ("01-100", "L"), ("01-100", "M"), ("03-300", "L"), ("03-300", "M"),
    ]
    assert all(code.erp_synced_at for code in ProjectCostCode.objects.filter(project=project))
    assert list(ErpTransition.objects.filter(object_id=project.pk).order_by("pk").values_list("action", flat=True)) == [
        "send", "accept", "export_succeeded",
    ]
    assert ExportAttempt.objects.get().status == ExportAttempt.Status.SUCCEEDED


def test_too_long_city_is_refused_at_send_with_sages_message(synced_cost_codes, pm, join_project):
    # Saved before Trestle checked Sage's limits on save (a form refuses it now): Send still refuses it.
    project = project_create(number="26-106", name="Iron Horse Trail Clinic")
    Project.objects.filter(pk=project.pk).update(city="North Richland Hills")
    project.refresh_from_db()
    join_project(pm, project)

    with pytest.raises(ValidationFailed) as refused:
        services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pm)

    assert refused.value.errors == {"city": ["[AddressCity] is too long, maximum length is 15 characters."]}
    project.refresh_from_db()
    assert project.erp_status == ErpStatus.NOT_IN_ERP
    assert not ErpTransition.objects.exists()


def test_existing_sage_job_id_is_refused_at_accept(project, pm, approver, django_capture_on_commit_callbacks):
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pm)

    with pytest.raises(ValidationFailed) as refused:
        accept(project, approver, django_capture_on_commit_callbacks, sage_job_id="24101")

    assert refused.value.code == "job_code_exists"
    assert refused.value.errors["sage_job_id"][0].startswith("A job with that code already exists.")
    project.refresh_from_db()
    assert project.erp_status == ErpStatus.READY_TO_EXPORT
    assert not Job.objects.filter(job="24101").exists()
    assert not ExportAttempt.objects.exists()


def test_a_sage_job_id_without_a_letter_or_digit_is_refused_at_accept_and_nothing_changes(
    project, pm, approver, django_capture_on_commit_callbacks
):
    # Issue 8: "--" passed Send and Accept and failed at export (Sage compares job ids without punctuation).
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pm)

    with pytest.raises(ValidationFailed) as refused:
        accept(project, approver, django_capture_on_commit_callbacks, sage_job_id="--")

    assert refused.value.errors == {"sage_job_id": [
        "[Job] has an invalid value: --. A Sage Job ID needs at least one letter or digit, e.g. 24-101."
    ]}
    project.refresh_from_db()
    assert (project.erp_status, project.sage_job_id) == (ErpStatus.READY_TO_EXPORT, None)
    assert not ExportAttempt.objects.exists()
    assert not Job.objects.filter(job="--").exists()


def test_only_an_approver_may_accept_and_a_second_accept_conflicts(
    project, pm, approver, django_capture_on_commit_callbacks
):
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pm)
    with pytest.raises(PermissionRefused):
        services.erp_accept(item_type=ItemType.PROJECT, obj=project, actor=pm, fields={"sage_job_id": "X1"})

    accept(project, approver, django_capture_on_commit_callbacks, sage_job_id="26-105")
    with pytest.raises(Conflict) as conflict:
        services.erp_accept(item_type=ItemType.PROJECT, obj=project, actor=approver, fields={"sage_job_id": "26-105"})

    assert conflict.value.status_code == 409
    assert Job.objects.filter(job="26-105").count() == 1
    assert ExportAttempt.objects.count() == 1


def test_retrieve_and_reject_and_resend(project, pm, approver):
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pm)
    services.erp_retrieve(item_type=ItemType.PROJECT, obj=project, actor=pm)
    project.refresh_from_db()
    assert project.erp_status == ErpStatus.NOT_IN_ERP

    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pm)
    with pytest.raises(ValidationFailed):
        services.erp_reject(item_type=ItemType.PROJECT, obj=project, actor=approver, comment="  ")
    services.erp_reject(item_type=ItemType.PROJECT, obj=project, actor=approver, comment="Use the 26- job format")
    project.refresh_from_db()
    assert (project.erp_status, project.erp_rejection_comment) == (ErpStatus.REJECTED, "Use the 26- job format")

    services.erp_resend(item_type=ItemType.PROJECT, obj=project, actor=pm)
    project.refresh_from_db()
    assert project.erp_status == ErpStatus.READY_TO_EXPORT


def test_add_an_erp_job_as_a_project_with_cost_codes_and_extras(synced_cost_codes, approver):
    # given: the Jobs and Sub Jobs syncs staged Sage's job
    sync_start(dataset="jobs", trigger=SyncRun.Trigger.COMMAND, run_inline=True)
    staged = StagedRecord.objects.get(kind="job", origin_id="24-101")

    # when
    project = job_add_as_project(staged=staged, actor=approver)

    # then: job id → project number and Sage Job ID (R43, A21)
    assert (project.number, project.sage_job_id, project.name, project.city) == (
        "24-101", "24-101", "Elm Street Medical Office", "Dallas"
    )
    assert project.erp_status == ErpStatus.SYNCED
    assert list(project.sub_jobs.values_list("code", "sage_extra_id", "erp_status")) == [("BLDG", "BLDG", "synced")]
    codes = {c.code: c for c in ProjectCostCode.objects.filter(project=project)}
    assert set(codes) == {"01-100", "01-990"}
    assert codes["01-990"].is_project_specific is True  # not on the standard list (R34)
    assert codes["01-100"].is_project_specific is False
    staged.refresh_from_db()
    assert (staged.status, staged.linked_object_id) == ("imported", project.pk)


def test_a_job_created_on_both_sides_cannot_be_linked(synced_cost_codes, approver):
    project_create(number="24-101", name="Elm Street (typed in Trestle)")
    sync_start(dataset="jobs", trigger=SyncRun.Trigger.COMMAND, run_inline=True)
    staged = StagedRecord.objects.get(kind="job", origin_id="24-101")

    with pytest.raises(Conflict) as refused:
        job_add_as_project(staged=staged, actor=approver)

    assert refused.value.code == "job_created_on_both_sides"
    assert Project.objects.count() == 1
    staged.refresh_from_db()
    assert staged.status == "staged"


def test_projects_created_before_the_integration_cannot_be_sent(synced_cost_codes, pm, join_project, connected):
    project = project_create(number="OLD-1", name="Old project")
    Project.objects.filter(pk=project.pk).update(created_at=connected.connected_at.replace(year=2020))
    project.refresh_from_db()
    join_project(pm, project)

    with pytest.raises(ValidationFailed) as refused:
        services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pm)

    assert "created before the Sage 300 CRE integration was connected" in refused.value.errors["project"][0]


def test_sub_job_exported_as_an_extra(project, pm, approver, django_capture_on_commit_callbacks):
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pm)
    accept(project, approver, django_capture_on_commit_callbacks, sage_job_id="26-105")
    sub_job = sub_job_create(project=project, code="SITE", name="Sitework")

    services.erp_send(item_type=ItemType.SUB_JOB, obj=sub_job, actor=pm)
    with django_capture_on_commit_callbacks(execute=True):
        # The SubJob ID is pre-filled from the sub job's code (R49).
        services.erp_accept(item_type=ItemType.SUB_JOB, obj=sub_job, actor=approver)

    sub_job.refresh_from_db()
    assert (sub_job.erp_status, sub_job.sage_extra_id) == (ErpStatus.SYNCED, "SITE")
    assert Extra.objects.get(job_id="26-105", extra="SITE").description == "Sitework"


def test_a_sub_job_of_an_unsynced_project_cannot_be_sent(project, pm):
    sub_job = sub_job_create(project=project, code="SITE", name="Sitework")

    with pytest.raises(ValidationFailed) as refused:
        services.erp_send(item_type=ItemType.SUB_JOB, obj=sub_job, actor=pm)

    assert "not synced with a Sage job yet" in refused.value.errors["project"][0]


def test_extra_imported_as_a_sub_job(synced_cost_codes, approver):
    sync_start(dataset="jobs", trigger=SyncRun.Trigger.COMMAND, run_inline=True)
    erp_settings_save(options={"import_extras_as_sub_jobs": False})
    project = job_add_as_project(staged=StagedRecord.objects.get(kind="job"), actor=approver)
    assert not project.sub_jobs.exists()
    erp_settings_save(options={"import_extras_as_sub_jobs": True})

    run = sync_start(dataset="sub-jobs", trigger=SyncRun.Trigger.COMMAND, run_inline=True)
    staged = StagedRecord.objects.get(kind="extra", parent_origin_id="24-101", origin_id="BLDG")
    sub_job = extra_import_as_sub_job(staged=staged, actor=approver)

    assert run.created == 1
    assert (sub_job.code, sub_job.name, sub_job.sage_extra_id, sub_job.erp_status) == ("BLDG", "Building", "BLDG", "synced")
    assert SubJob.objects.count() == 1


def test_synced_and_sent_projects_lock_their_sage_fields(project, pm, approver, django_capture_on_commit_callbacks):
    from apps.projects.services import project_update

    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pm)
    with pytest.raises(ValidationFailed) as while_sent:
        project_update(project=Project.objects.get(pk=project.pk), data={"city": "Allen"})
    accept(project, approver, django_capture_on_commit_callbacks, sage_job_id="26-105")
    with pytest.raises(ValidationFailed) as once_synced:
        project_update(project=Project.objects.get(pk=project.pk), data={"name": "Renamed"})
    updated = project_update(project=Project.objects.get(pk=project.pk), data={"stage": "warranty"})

    assert while_sent.value.errors == {
        "city": ["This project is waiting in ERP Integrations, so its city is locked; retrieve it first."]
    }
    assert once_synced.value.errors == {
        "name": ["This project is synced with Sage 300 CRE, so its name is locked; a synced project keeps what Sage 300 CRE has."]
    }
    assert updated.stage == "warranty"  # not a Sage field
    assert Project.objects.get(pk=project.pk).name == "McKinney Fire Station No. 9"

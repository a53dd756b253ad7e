"""The sender's admin (issue 8, Build 1): the ERP panel and its buttons on every exportable's page, Refresh Cost
Codes in the admin and the API (P#24), ERP tab rows that link to their item, and history in words."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.contrib import admin
from django.urls import reverse

from apps.access.models import Level
from apps.companies.services import company_create, company_update
from apps.core.exceptions import ValidationFailed
from apps.erp import audit, services
from apps.erp.admin_mixins import ErpAdminMixin
from apps.erp.errors import ErpError
from apps.erp.item_types import ItemType
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import SyncRun
from apps.erp.registry import document, documents
from apps.erp.sync import sync_start
from apps.projects.erp import job_add_as_project
from apps.projects.models import Project
from apps.projects.services import project_create, project_update, sub_job_create
from apps.sage300 import services as sage
from apps.sage300.faults import at_sage_desktop
from apps.sage300.import_files import CategoryImportRecord, CostCodeImportRecord
from apps.wbs.models import ProjectCostCode
from tests.access.helpers import api_client, join, make_user


def _named(user, first, last):
    user.first_name, user.last_name = first, last
    user.save(update_fields=["first_name", "last_name"])
    return user


@pytest.fixture
def pat(pm):
    return _named(pm, "Pat", "PM")


@pytest.fixture
def alex(approver):
    return _named(approver, "Alex", "Approver")


@pytest.fixture
def project(synced_cost_codes, pat, join_project):
    project = project_create(number="26-105", name="McKinney Fire Station No. 9", city="McKinney", state="TX")
    join_project(pat, project)
    return project


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def op_url(obj, operation):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_erp", args=[obj.pk, operation])


def panel(page: str) -> str:
    match = re.search(r'<section class="erp-panel".*?</section>', page, re.S)
    assert match, "the page has no ERP panel"
    return match.group(0)


def buttons(page: str) -> list[str]:
    return re.findall(r'name="erp_operation" value="([\w-]+)"', panel(page))


def texts(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " "))


def export(project, approver, capture, **fields):
    with capture(execute=True):
        services.erp_accept(item_type=ItemType.PROJECT, obj=project, actor=approver, fields=fields)
    project.refresh_from_db()
    return project


# --- every registered document's admin has it ---------------------------------------------------------


def test_every_registered_documents_admin_uses_the_one_erp_mixin():
    for doc in documents():
        model_admin = admin.site._registry.get(doc.model)
        assert model_admin is not None, f"{doc.model.__name__} has no admin"
        assert isinstance(model_admin, ErpAdminMixin), f"{type(model_admin).__name__} lacks the ERP panel"


def test_every_document_changelist_has_an_erp_status_column_and_filter(client, alex, project, pat):
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pat)
    company_create(name="Acme Concrete")
    client.force_login(_superuser())
    for doc in documents():
        opts = doc.model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        page = client.get(url).content.decode()
        assert "ERP status" in page, doc
        filtered = client.get(url, {"erp_status__exact": "ready_to_export"})
        assert filtered.status_code == 200, doc
    projects = client.get(reverse("admin:projects_project_changelist"), {"erp_status__exact": "ready_to_export"})
    assert "Ready to export" in texts(projects.content.decode()) and "26-105" in projects.content.decode()


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", "root@example.com", "x")


# --- the panel and its buttons -----------------------------------------------------------------------------


def test_the_pm_sends_the_project_from_its_page(client, project, pat):
    client.force_login(pat)

    page = client.get(change_url(project)).content.decode()
    assert "Not in ERP" in panel(page)
    assert buttons(page) == ["send"]

    response = client.post(op_url(project, "send"), follow=True)

    project.refresh_from_db()
    assert project.erp_status == ErpStatus.READY_TO_EXPORT
    assert response.redirect_chain[-1][0] == change_url(project)
    page = response.content.decode()
    assert "was sent to ERP Integrations" in page
    assert "Ready to export" in panel(page) and buttons(page) == ["retrieve"]
    assert "Sent to ERP by Pat PM" in texts(panel(page))


def test_the_pm_retrieves_and_resends_after_a_rejection(client, project, pat, alex):
    client.force_login(pat)
    client.post(op_url(project, "send"))
    client.post(op_url(project, "retrieve"))
    project.refresh_from_db()
    assert project.erp_status == ErpStatus.NOT_IN_ERP

    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pat)
    services.erp_reject(item_type=ItemType.PROJECT, obj=project, actor=alex, comment="Use the new address")
    page = client.get(change_url(project)).content.decode()
    assert "Use the new address" in panel(page)
    assert buttons(page) == ["resend"]
    assert "Rejected by Alex Approver" in texts(panel(page))

    client.post(op_url(project, "resend"))
    project.refresh_from_db()
    assert project.erp_status == ErpStatus.READY_TO_EXPORT


def test_the_panel_of_a_synced_project_says_everything_in_words(client, project, pat, alex,
                                                                 django_capture_on_commit_callbacks):
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pat)
    export(project, alex, django_capture_on_commit_callbacks, sage_job_id="26-105")
    client.force_login(pat)

    words = texts(panel(client.get(change_url(project)).content.decode()))

    assert "Synced" in words
    assert "Sage Job ID 26-105" in words
    assert "Sent by Pat PM" in words and "Approved by Alex Approver" in words and "Synced " in words
    assert "Sent to ERP by Pat PM" in words
    assert "Accepted for export by Alex Approver with Sage Job ID 26-105" in words
    assert "Exported to Sage 300 CRE: Sage Job ID 26-105" in words
    assert "None" not in words and "ready_to_export" not in words


def test_a_failed_export_shows_the_error_and_what_to_do(client, project, pat, alex):
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pat)
    project = Project.objects.get(pk=project.pk)
    project.erp_accept()
    project.erp_export_failed(code="job_closed", message="Job 26-105 is closed.", resolution="Reopen it in Sage.")
    project.save()
    audit.log(audit.export_failed(document(ItemType.PROJECT), project, ErpStatus.EXPORTING,
                                  error={"code": "job_closed", "message": "Job 26-105 is closed.",
                                         "resolution": "Reopen it in Sage."}, attempt_id=0))
    client.force_login(pat)

    html = panel(client.get(change_url(project)).content.decode())

    assert 'role="alert"' in html
    assert "What went wrong: Job 26-105 is closed." in texts(html) and "What to do: Reopen it in Sage." in texts(html)
    assert "Export failed: Job 26-105 is closed." in texts(html)
    assert buttons(html) == []  # a failure is the approver's to retry, in ERP Integrations


def test_a_viewer_sees_no_buttons_and_a_forged_post_is_refused_with_a_message(client, project):
    viewer = make_user(erp=Level.READ_ONLY)
    join(viewer, project, project_admin=Level.READ_ONLY)
    client.force_login(viewer)

    page = client.get(change_url(project)).content.decode()
    response = client.post(op_url(project, "send"), follow=True)

    assert "Not in ERP" in panel(page) and buttons(page) == []
    assert response.status_code == 200
    assert "You may not use Send to ERP on this project." in response.content.decode()
    project.refresh_from_db()
    assert project.erp_status == ErpStatus.NOT_IN_ERP


def test_another_projects_item_is_a_404_and_bad_addresses_never_500(client, project, pat):
    other = project_create(number="26-200", name="Somebody Else's Job")
    client.force_login(pat)

    assert client.get(change_url(other)).status_code in (302, 404)
    assert client.post(op_url(other, "send")).status_code == 404
    for bogus in ("²", "①", "9" * 25, "abc"):
        url = reverse("admin:projects_project_changelist") + f"{bogus}/erp/send/"
        assert client.post(url).status_code == 404, bogus
    assert client.post(op_url(project, "explode")).status_code == 404
    assert client.get(op_url(project, "send")).status_code == 405
    other.refresh_from_db()
    assert other.erp_status == ErpStatus.NOT_IN_ERP


def test_a_refusal_of_the_service_is_a_message_on_the_page(client, synced_cost_codes, pat, join_project):
    project = project_create(number="26-106", name="Denton Library", city="Denton", state="TX")
    # A row saved before Sage's limits were checked on save (old data): Send still refuses it.
    Project.objects.filter(pk=project.pk).update(city="A" * 40)
    project.refresh_from_db()
    join_project(pat, project)
    client.force_login(pat)

    response = client.post(op_url(project, "send"), follow=True)

    page = response.content.decode()
    assert response.status_code == 200
    assert "Send to ERP:" in page and "city" in page.lower()
    project.refresh_from_db()
    assert project.erp_status == ErpStatus.NOT_IN_ERP


# --- companies: Unlink where the message says so ------------------------------------------------------


@pytest.fixture
def linked_company(sage_company, connected):
    company = company_create(name="Acme Concrete, Inc.")
    return services.erp_link(item_type=ItemType.COMPANY, obj=company, erp_id="ACMECON")


def test_a_locked_company_name_names_unlink_and_the_company_page_has_it(client, linked_company, alex):
    with pytest.raises(ValidationFailed) as refused:
        company_update(company=linked_company, data={"name": "Acme Concrete Holdings"})
    message = refused.value.errors["name"][0]
    assert "Unlink, on the company's page" in message

    client.force_login(alex)
    page = client.get(change_url(linked_company)).content.decode()
    assert buttons(page) == ["unlink"]
    assert "ERP Company ID" in panel(page) and "ACMECON" in panel(page)
    assert "Unlink even if it is still in Sage 300 CRE" in panel(page)

    # Sage still has the vendor: the first press asks for the confirmation, the second unlinks.
    first = client.post(op_url(linked_company, "unlink"), follow=True).content.decode()
    assert "is still in Sage 300 CRE" in first
    client.post(op_url(linked_company, "unlink"), {"confirm": "yes"})
    linked_company.refresh_from_db()
    assert linked_company.erp_status == ErpStatus.NOT_IN_ERP and linked_company.erp_company_id is None


def test_sage_not_answering_at_unlink_says_nothing_changed(client, linked_company, alex, monkeypatch):
    class Silent:
        def find_written(self, records):
            raise ErpError("timeout")

    monkeypatch.setattr(services, "get_connector", lambda: Silent())
    client.force_login(alex)

    page = client.post(op_url(linked_company, "unlink"), {"confirm": "yes"}, follow=True).content.decode()

    assert "nothing was changed" in page
    linked_company.refresh_from_db()
    assert linked_company.erp_status == ErpStatus.SYNCED


def test_a_synced_project_does_not_send_people_to_an_unlink_that_does_not_exist(
    client, project, pat, alex, django_capture_on_commit_callbacks
):
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pat)
    project = export(project, alex, django_capture_on_commit_callbacks, sage_job_id="26-105")

    with pytest.raises(ValidationFailed) as refused:
        project_update(project=project, data={"name": "Renamed"})

    assert "unlink" not in refused.value.errors["name"][0].lower()
    client.force_login(alex)
    jobs_synced = client.get(reverse("erp-integrations"), {"tab": "jobs", "view": "synced"}).content.decode()
    assert 'value="unlink"' not in jobs_synced
    superuser = _superuser()
    client.force_login(superuser)
    assert "unlink" not in buttons(client.get(change_url(project)).content.decode())


# --- Refresh Cost Codes (P#24) --------------------------------------------------------------------------


@pytest.fixture
def imported_project(synced_cost_codes, alex):
    sync_start(dataset="jobs", trigger=SyncRun.Trigger.COMMAND, run_inline=True)
    from apps.erp.models import StagedRecord

    project = job_add_as_project(staged=StagedRecord.objects.get(kind="job", origin_id="24-101"), actor=alex)
    # The accountant adds a cost code to the job in Sage afterwards.
    with at_sage_desktop():
        sage.job_add_cost_codes(job="24-101", records=[
            CostCodeImportRecord(job="24-101", cost_code="09-250", description="Gypsum Board"),
            CategoryImportRecord(job="24-101", cost_code="09-250", category="M"),
        ])
    return project


@pytest.fixture
def erp_admin_on_project(imported_project):
    user = _named(make_user(erp=Level.ADMIN), "Erin", "Admin")
    join(user, imported_project, project_admin=Level.ADMIN)
    return user


def test_refresh_cost_codes_on_the_synced_projects_page(client, imported_project, erp_admin_on_project):
    client.force_login(erp_admin_on_project)
    page = client.get(change_url(imported_project)).content.decode()
    assert "refresh-cost-codes" in buttons(page)

    response = client.post(op_url(imported_project, "refresh-cost-codes"), follow=True)

    assert "1 cost code and 1 cost type added" in response.content.decode()
    assert ProjectCostCode.objects.filter(project=imported_project, code="09-250").exists()


def test_refresh_cost_codes_needs_admin_on_erp_integrations(client, imported_project):
    standard = make_user(erp=Level.STANDARD)
    join(standard, imported_project, project_admin=Level.ADMIN)
    client.force_login(standard)

    page = client.get(change_url(imported_project)).content.decode()
    forged = client.post(op_url(imported_project, "refresh-cost-codes"), follow=True).content.decode()

    assert "refresh-cost-codes" not in buttons(page)
    assert "You may not use Refresh Cost Codes on this project." in forged
    assert not ProjectCostCode.objects.filter(project=imported_project, code="09-250").exists()


def test_refresh_cost_codes_is_not_offered_before_the_project_is_synced(client, project):
    superuser = _superuser()
    client.force_login(superuser)

    assert "refresh-cost-codes" not in buttons(client.get(change_url(project)).content.decode())
    response = client.post(op_url(project, "refresh-cost-codes"), follow=True).content.decode()
    assert "is not synced with a Sage job yet" in response


def test_refresh_cost_codes_in_the_api(imported_project, erp_admin_on_project):
    url = f"/api/v1/projects/{imported_project.pk}/erp/refresh-cost-codes/"
    standard = make_user(erp=Level.STANDARD)
    join(standard, imported_project, project_admin=Level.ADMIN)
    outsider = make_user(erp=Level.ADMIN)

    refused = api_client(standard).post(url)
    hidden = api_client(outsider).post(url)
    done = api_client(erp_admin_on_project).post(url)
    again = api_client(erp_admin_on_project).post(url)

    assert refused.status_code == 403
    assert hidden.status_code == 404
    assert done.status_code == 200, done.content
    assert (done.json()["cost_codes_added"], done.json()["cost_types_added"]) == (1, 1)
    assert "refreshed from Sage 300 CRE job 24-101" in done.json()["message"]
    assert again.json()["cost_codes_added"] == 0


def test_refresh_cost_codes_of_a_project_not_synced_is_a_409(project, db):
    superuser = _superuser()

    response = api_client(superuser).post(f"/api/v1/projects/{project.pk}/erp/refresh-cost-codes/")

    assert response.status_code == 409
    assert "not synced" in str(response.json())


def test_refresh_cost_codes_is_in_the_openapi_schema(admin_client):
    schema = admin_client.get("/api/schema/?format=json").content.decode()

    assert "/api/v1/projects/{id}/erp/refresh-cost-codes/" in schema


def test_the_sub_job_cost_code_message_names_a_control_that_exists(imported_project):
    from apps.wbs.services import _sub_job_maintained_in_sage

    sub_job = imported_project.sub_jobs.get()
    message = _sub_job_maintained_in_sage(sub_job)

    assert "press Refresh Cost Codes on the project's page" in message
    assert any(action.label == "Refresh Cost Codes" for action in document(ItemType.PROJECT).item_actions)


# --- the ERP Integrations page links its rows -------------------------------------------------------------


def test_erp_tab_rows_link_to_their_item_when_the_user_may_open_it(client, project, pat, alex):
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pat)
    url = reverse("erp-integrations")

    join(alex, project, project_admin=Level.READ_ONLY)
    client.force_login(alex)
    linked = client.get(url, {"tab": "jobs", "view": "ready_to_export"}).content.decode()
    stranger = make_user(erp=Level.ADMIN, can_push=True)
    client.force_login(stranger)
    unlinked = client.get(url, {"tab": "jobs", "view": "ready_to_export"}).content.decode()

    assert f'<a href="{change_url(project)}">26-105 McKinney Fire Station No. 9</a>' in linked
    assert "26-105 McKinney Fire Station No. 9" in unlinked and change_url(project) not in unlinked


# --- the History page in words -------------------------------------------------------------------------------


def test_history_names_who_and_shows_values_in_words(client, project, pat, alex, django_capture_on_commit_callbacks):
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pat)
    export(project, alex, django_capture_on_commit_callbacks, sage_job_id="26-105")
    superuser = _superuser()
    client.force_login(superuser)

    page = texts(client.get(reverse("admin:projects_project_history", args=[project.pk])).content.decode())

    assert "ready_to_export" not in page and "not_in_erp" not in page
    assert "Not in ERP → Ready to export" in page
    assert "Alex Approver" in page and "Pat PM" in page
    assert " None " not in page
    assert "Trestle (automatic)" in page  # the background export's own change


def test_the_accept_history_row_records_the_approver(project, pat, alex, django_capture_on_commit_callbacks):
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pat)
    export(project, alex, django_capture_on_commit_callbacks, sage_job_id="26-105")

    accepted = project.history.filter(erp_status=ErpStatus.EXPORTING).get()
    sent = project.history.filter(erp_status=ErpStatus.READY_TO_EXPORT).get()

    assert accepted.history_user == alex
    assert sent.history_user == pat


def test_a_sub_job_page_has_the_panel_too(client, project, pat):
    sub_job = sub_job_create(project=project, code="BLDG", name="Building")
    client.force_login(pat)

    page = client.get(change_url(sub_job)).content.decode()

    assert "SubJob ID" in panel(page)
    # Its project is not in Sage yet, so Send would only refuse: the panel says so instead of offering it.
    assert buttons(page) == []
    assert "is not synced with a Sage job yet; export the project first" in texts(panel(page))


def test_an_imported_sub_jobs_page_says_where_it_came_from(client, imported_project, erp_admin_on_project):
    sub_job = imported_project.sub_jobs.get()
    client.force_login(erp_admin_on_project)

    words = texts(panel(client.get(change_url(sub_job)).content.decode()))

    assert "Synced" in words and "SubJob ID BLDG" in words
    assert "Added from Sage 300 CRE (SubJob ID BLDG) by Alex Approver" in words
    assert "unlink" not in buttons(client.get(change_url(sub_job)).content.decode())


def test_what_trestle_did_by_itself_says_so(client, linked_company, alex):
    client.force_login(alex)

    words = texts(panel(client.get(change_url(linked_company)).content.decode()))

    assert "Linked to Sage 300 CRE ERP Company ID ACMECON by Trestle (automatic)" in words
    assert "None" not in words


def test_send_is_not_offered_while_it_would_only_refuse_and_the_panel_says_what_to_fix(
    client, synced_cost_codes, pat, join_project
):
    project = project_create(number="26-107", name="Frisco Water Tower", city="Denton", state="TX")
    # A row saved before Sage's limits were checked on save (old data): Send still refuses it.
    Project.objects.filter(pk=project.pk).update(city="A" * 40)
    project.refresh_from_db()
    join_project(pat, project)
    client.force_login(pat)

    page = client.get(change_url(project)).content.decode()

    assert "send" not in buttons(page)
    assert "Before it can be sent to Sage 300 CRE" in panel(page)
    assert "city" in texts(panel(page)).lower()


def test_the_exports_own_change_is_trestles_even_when_it_runs_inside_a_persons_request(
    project, pat, alex, django_capture_on_commit_callbacks, rf
):
    from simple_history.models import HistoricalRecords

    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=pat)
    with django_capture_on_commit_callbacks() as callbacks:
        services.erp_accept(item_type=ItemType.PROJECT, obj=project, actor=alex, fields={"sage_job_id": "26-105"})
    # The export runs inside the approver's request (as it does when tasks run inline, e.g. under the test
    # settings): simple-history's middleware has that request in its context.
    request = rf.post("/")
    request.user = alex
    HistoricalRecords.context.request = request
    try:
        for callback in callbacks:
            callback()
    finally:
        del HistoricalRecords.context.request

    synced = project.history.filter(erp_status=ErpStatus.SYNCED).get()
    accepted = project.history.filter(erp_status=ErpStatus.EXPORTING).get()
    assert synced.history_user is None and accepted.history_user == alex

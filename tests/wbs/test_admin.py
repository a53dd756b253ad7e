import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from apps.wbs.models import CostCodeList, CostType, ProjectCostCode, ProjectCostType, StandardCostCode
from apps.wbs.services import NEW_CODES_COME_FROM_SAGE, project_cost_code_add_from_standard
from apps.access.models import Level
from tests.access.helpers import make_user
from tests.wbs.helpers import cost_types, csv_file, custom_list, erp_list, project, standard_codes


@pytest.fixture
def wbs_rows():
    """One row of every WBS model."""
    cost_types("L", "M")
    erp = erp_list()
    custom_list()  # codes are added by hand to a custom list only: without one, there is no Add
    standard_codes(erp, {"code": "01-100", "description": "Supervision", "default_cost_types": ["L"]})
    job = project("1001")
    code = project_cost_code_add_from_standard(project=job, standard_cost_code=StandardCostCode.objects.get())
    return {
        CostCodeList: erp,
        CostType: CostType.objects.get(code="L"),
        StandardCostCode: StandardCostCode.objects.get(),
        ProjectCostCode: code,
        ProjectCostType: code.cost_types.get(),
    }


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.mark.parametrize("model", [CostCodeList, CostType, StandardCostCode, ProjectCostCode, ProjectCostType])
def test_admin_pages_of_every_wbs_model_render(admin_client, wbs_rows, model):
    obj = wbs_rows[model]

    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    assert admin_client.get(admin_url(model, "changelist") + "?q=01").status_code == 200
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_deactivate_and_activate_actions_call_the_services(admin_client, wbs_rows):
    # given
    code = wbs_rows[StandardCostCode]
    url = admin_url(StandardCostCode, "changelist")

    # when
    deactivated = admin_client.post(url, {"action": "deactivate_codes", "_selected_action": [code.pk]}, follow=True)
    deactivated_again = admin_client.post(url, {"action": "deactivate_codes", "_selected_action": [code.pk]}, follow=True)

    # then
    assert [str(m) for m in deactivated.context["messages"]] == ["1 deactivated."]
    assert [str(m) for m in deactivated_again.context["messages"]] == ["Cost code 01-100 is already deactivated."]
    assert StandardCostCode.objects.get().is_active is False

    # when
    activated = admin_client.post(url, {"action": "activate_codes", "_selected_action": [code.pk]}, follow=True)

    # then
    assert [str(m) for m in activated.context["messages"]] == ["1 activated."]
    assert StandardCostCode.objects.get().is_active is True


def test_there_is_no_add_for_standard_codes_until_a_custom_list_exists(admin_client):
    # Issue 8: "Add" on standard cost codes always refused while only the Sage 300 CRE list existed.
    erp_list()

    before = admin_client.get(admin_url(StandardCostCode, "changelist")).content.decode()
    refused = admin_client.get(admin_url(StandardCostCode, "add"))
    custom_list()
    after = admin_client.get(admin_url(StandardCostCode, "changelist")).content.decode()

    assert admin_url(StandardCostCode, "add") not in before
    assert refused.status_code == 403
    assert admin_url(StandardCostCode, "add") in after


def test_the_list_picker_of_a_code_added_by_hand_offers_custom_lists_only(admin_client):
    erp_list()
    custom = custom_list()

    response = admin_client.get("/admin/autocomplete/", {
        "app_label": "wbs", "model_name": "standardcostcode", "field_name": "cost_code_list", "term": "",
    })

    assert [row["id"] for row in response.json()["results"]] == [str(custom.pk)]


def test_adding_a_code_to_the_erp_list_by_hand_is_refused_on_the_form(admin_client):
    # given
    erp = erp_list()
    custom_list()

    # when
    response = admin_client.post(
        admin_url(StandardCostCode, "add"),
        {"cost_code_list": erp.pk, "code": "99-999", "description": "Made up", "division": ""},
    )

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"cost_code_list": [NEW_CODES_COME_FROM_SAGE]}
    assert not StandardCostCode.objects.exists()


def test_a_code_is_added_by_hand_to_a_custom_list(admin_client):
    # given
    custom = custom_list()

    # when
    response = admin_client.post(
        admin_url(StandardCostCode, "add"),
        {"cost_code_list": custom.pk, "code": "02-100", "description": "Demolition", "division": ""},
    )

    # then
    assert response.status_code == 302
    assert list(StandardCostCode.objects.values_list("code", "division", "cost_code_list__name")) == [
        ("02-100", "02", "Company custom list")
    ]


def test_default_cost_types_of_an_erp_code_are_chosen_in_the_admin(admin_client, wbs_rows):
    # given
    code = wbs_rows[StandardCostCode]
    labor, material = CostType.objects.order_by("code")

    # when
    response = admin_client.post(admin_url(StandardCostCode, "change", code.pk), {"default_cost_types": [labor.pk, material.pk]})

    # then
    assert response.status_code == 302
    assert sorted(code.default_cost_types.values_list("code", flat=True)) == ["L", "M"]
    assert StandardCostCode.objects.get().description == "Supervision"


def test_a_service_refusal_at_save_time_is_shown_on_the_form_not_as_an_error_page(admin_client, monkeypatch):
    # given: the form's validator lets a bad value through (as if the data changed after it ran)
    erp = erp_list()
    custom_list()
    monkeypatch.setattr("apps.wbs.admin.standard_cost_code_validate", lambda **kwargs: {})

    # when
    response = admin_client.post(
        admin_url(StandardCostCode, "add"),
        {"cost_code_list": erp.pk, "code": "99-999", "description": "Made up", "division": ""},
    )

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {"cost_code_list": [NEW_CODES_COME_FROM_SAGE]}
    assert not StandardCostCode.objects.exists()


def test_a_project_cost_code_is_added_from_the_standard_list(admin_client, wbs_rows):
    # given
    job = project("2002")
    material = CostType.objects.get(code="M")

    # when
    response = admin_client.post(
        admin_url(ProjectCostCode, "add"),
        {
            "project": job.pk,
            "standard_cost_code": wbs_rows[StandardCostCode].pk,
            "cost_types": [material.pk],
            "cost_types-TOTAL_FORMS": "0",
            "cost_types-INITIAL_FORMS": "0",
        },
    )

    # then
    assert response.status_code == 302
    added = ProjectCostCode.objects.get(project=job)
    assert (added.code, [a.cost_type.code for a in added.cost_types.all()]) == ("01-100", ["M"])


@pytest.mark.parametrize(
    ("standard", "error"),
    [
        (None, {"standard_cost_code": [NEW_CODES_COME_FROM_SAGE]}),
        (
            "deactivated",
            {
                "standard_cost_code": [
                    "Cost code 01-100 is deactivated; reactivate it on the standard cost code list before adding it "
                    "to a project."
                ]
            },
        ),
    ],
)
def test_a_refused_project_cost_code_is_explained_on_the_form(admin_client, wbs_rows, standard, error):
    # given
    job = project("2002")
    code = wbs_rows[StandardCostCode]
    if standard == "deactivated":
        StandardCostCode.objects.filter(pk=code.pk).update(is_active=False)

    # when
    response = admin_client.post(
        admin_url(ProjectCostCode, "add"),
        {"project": job.pk, "standard_cost_code": code.pk if standard else ""},
    )

    # then
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == error
    assert not ProjectCostCode.objects.filter(project=job).exists()


def test_project_specific_codes_are_marked_in_the_project_cost_code_list(admin_client, wbs_rows):
    # given: a code Sage created for this job only, as the cost code refresh brings it in (R34)
    ProjectCostCode.objects.create(
        project=wbs_rows[ProjectCostCode].project, code="99-001", description="Owner extras", is_project_specific=True
    )

    # when
    response = admin_client.get(admin_url(ProjectCostCode, "changelist"))

    # then
    html = response.content.decode()
    assert '<strong style="color:#1d4ed8">99-001</strong>' in html
    assert html.count(">project-specific</span>") == 1


def test_cost_types_are_added_to_a_project_cost_code_through_the_inline(admin_client, wbs_rows):
    # given
    code = wbs_rows[ProjectCostCode]
    material = CostType.objects.get(code="M")
    existing = code.cost_types.get()

    # when
    response = admin_client.post(
        admin_url(ProjectCostCode, "change", code.pk),
        {
            "cost_types-TOTAL_FORMS": "2",
            "cost_types-INITIAL_FORMS": "1",
            "cost_types-0-id": existing.pk,
            "cost_types-0-project_cost_code": code.pk,
            "cost_types-1-cost_type": material.pk,
            "cost_types-1-project_cost_code": code.pk,
        },
    )

    # then
    assert response.status_code == 302
    assert sorted(code.cost_types.values_list("cost_type__code", flat=True)) == ["L", "M"]


# --- import and export permissions and the admin import flow ----------------------------


def test_a_user_without_the_import_permission_sees_no_import_button_and_cannot_reach_the_import_view(client):
    # given: Standard on ERP Integrations sees cost types but imports need Admin on it
    client.force_login(make_user(erp=Level.STANDARD))

    # when
    changelist = client.get(admin_url(CostType, "changelist"))
    import_page = client.get(admin_url(CostType, "import"))
    export_page = client.get(admin_url(CostType, "export"))

    # then
    assert changelist.status_code == 200
    assert admin_url(CostType, "import") not in changelist.content.decode()
    assert import_page.status_code == 403
    assert export_page.status_code == 200


def test_a_user_with_the_import_permission_reaches_the_import_view(client):
    # given: Admin on ERP Integrations, and no Django model permission at all
    client.force_login(make_user(erp=Level.ADMIN))

    # when
    changelist = client.get(admin_url(StandardCostCode, "changelist"))
    import_page = client.get(admin_url(StandardCostCode, "import"))

    # then
    assert admin_url(StandardCostCode, "import") in changelist.content.decode()
    assert import_page.status_code == 200


def test_the_admin_import_previews_then_imports_on_confirm(admin_client):
    # given
    upload = SimpleUploadedFile("types.csv", csv_file([["code", "description"], ["L", "Labor"], ["M", "Material"]]))

    # when: the first step previews without writing
    preview = admin_client.post(admin_url(CostType, "import"), {"import_file": upload, "format": "0", "resource": "0"})

    # then
    assert preview.status_code == 200
    assert "confirm_form" in preview.context
    assert not CostType.objects.exists()

    # when: the user confirms
    confirmed = admin_client.post(
        admin_url(CostType, "process_import"), dict(preview.context["confirm_form"].initial), follow=True
    )

    # then
    assert [str(m) for m in confirmed.context["messages"]] == [
        "Import finished: 2 new, 0 updated, 0 deleted and 0 skipped cost types."
    ]
    assert sorted(CostType.objects.values_list("code", flat=True)) == ["L", "M"]


def test_the_admin_import_lists_every_problem_and_offers_no_confirm(admin_client):
    # given
    upload = SimpleUploadedFile("types.csv", csv_file([["code", "description"], ["L", "Labor"], ["LABOR", ""]]))

    # when
    response = admin_client.post(admin_url(CostType, "import"), {"import_file": upload, "format": "0", "resource": "0"})

    # then
    assert response.status_code == 200
    assert "confirm_form" not in response.context
    assert [(p.row, p.field, p.message) for p in response.context["import_problems"]] == [
        (2, "code", "[Category] is too long, maximum length is 3 characters."),
        (2, "description", "A description is required."),
    ]
    assert "Nothing will be imported: 2 problems" in response.content.decode()
    assert not CostType.objects.exists()


def test_a_confirmed_import_that_has_become_invalid_imports_nothing(admin_client):
    # given: a clean preview …
    upload = SimpleUploadedFile("types.csv", csv_file([["code", "description"], ["L", "Labor"], ["M", "Material"]]))
    preview = admin_client.post(admin_url(CostType, "import"), {"import_file": upload, "format": "0", "resource": "0"})
    # … after which Sage's limit is broken by the stored data the file now updates
    from apps.erp import connector
    from apps.erp.records import CostTypeRecord

    cost_type_limits = connector.get_connector().limits.of(CostTypeRecord)
    original = dict(cost_type_limits)
    cost_type_limits["description"] = connector.FieldLimit(5, "Description")
    try:
        # when
        confirmed = admin_client.post(
            admin_url(CostType, "process_import"), dict(preview.context["confirm_form"].initial), follow=True
        )
    finally:
        cost_type_limits.clear()
        cost_type_limits.update(original)

    # then
    assert [str(m) for m in confirmed.context["messages"]] == [
        "Nothing was imported: 1 problem. Row N is the N-th data row, not counting the header row "
        "(a spreadsheet shows it on line N + 1).",
        "row 2, description: [Description] is too long, maximum length is 5 characters.",
    ]
    assert not CostType.objects.exists()


def test_the_admin_exports_standard_cost_codes_as_csv(admin_client, wbs_rows):
    # when
    response = admin_client.post(
        admin_url(StandardCostCode, "export"),
        {
            "format": "0",
            "resource": "0",
            **{
                f"standardcostcoderesource_{field}": "on"
                for field in ("cost_code_list", "code", "description", "division", "is_active", "default_cost_types")
            },
        },
    )

    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv"
    assert response.content.decode().splitlines() == [
        "cost_code_list,code,description,division,is_active,default_cost_types",
        "Sage 300 CRE Standard Cost Codes,01-100,Supervision,01,TRUE,L",
    ]


def changelist_queries(client, model) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(admin_url(model, "changelist")).status_code == 200
    return len(queries)


def test_changelist_queries_do_not_grow_with_the_number_of_rows(admin_client):
    # given
    cost_types("L", "M")
    erp = erp_list()
    job = project("1001")
    phase = job.sub_jobs.create(code="01", name="Phase 1")

    def add_codes(numbers):
        standard_codes(erp, *({"code": f"01-{n:03}", "description": "x", "default_cost_types": ["L", "M"]} for n in numbers))
        for code in StandardCostCode.objects.filter(code__in=[f"01-{n:03}" for n in numbers]):
            project_cost_code_add_from_standard(project=job, standard_cost_code=code, sub_job=phase if code.pk % 2 else None)

    add_codes(range(2))
    few = {model: changelist_queries(admin_client, model) for model in (StandardCostCode, ProjectCostCode, ProjectCostType)}

    # when
    add_codes(range(2, 30))
    many = {model: changelist_queries(admin_client, model) for model in (StandardCostCode, ProjectCostCode, ProjectCostType)}

    # then
    assert many == few


def test_an_unreadable_upload_is_explained_on_the_import_form(admin_client):
    upload = SimpleUploadedFile("types.csv", b"code,description\nL,Labor,extra\n")

    response = admin_client.post(admin_url(CostType, "import"), {"import_file": upload, "format": "0", "resource": "0"})

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "import_file": ["Row 1 has 3 values but the header has 2 columns; remove the extra values or name their column."]
    }
    assert not CostType.objects.exists()


def test_a_new_list_is_not_offered_as_a_second_sage_list(admin_client):
    # Issue 8: "ERP" was offered as a new list's source and always refused once the Sage list existed.
    form = admin_client.get(admin_url(CostCodeList, "add")).context["adminform"].form
    offered_first = [value for value, _ in form.fields["source"].choices]
    erp_list()
    form = admin_client.get(admin_url(CostCodeList, "add")).context["adminform"].form
    offered_after = [value for value, _ in form.fields["source"].choices]

    assert CostCodeList.Source.ERP in offered_first
    assert offered_after == [value for value in CostCodeList.Source.values if value != CostCodeList.Source.ERP]

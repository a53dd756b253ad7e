"""The error catalogue (R193–R217 and the connector's own): wordings, resolutions, and the real paths that raise them."""

from __future__ import annotations

import string

import pytest

from apps.erp.item_types import ItemType
from apps.companies.services import company_create
from apps.core.exceptions import ValidationFailed
from apps.erp import services
from apps.erp.connector import get_connector
from apps.erp.errors import CATALOGUE, ErpError
from apps.erp.lifecycle import ErpStatus
from apps.erp.records import ExtraExport, JobExport, VendorExport
from apps.projects.services import project_create
from apps.sage300 import services as sage
from apps.sage300.connector import as_erp_error
from apps.sage300.errors import SageError
from apps.sage300.faults import at_sage_desktop, injected_faults
from apps.sage300.import_files import JobImportRecord
from apps.sage300.models import Job, Vendor
from apps.projects.models import Project

# --- the catalogue itself ----------------------------------------------------------------------


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("code", sorted(CATALOGUE))
def test_every_entry_renders_its_message_and_resolution_from_its_context(code):
    entry = CATALOGUE[code]
    context = {name: f"<{name}>" for name in placeholders(entry.message) | placeholders(entry.resolution)}

    error = ErpError(code, **context)

    for text, template in ((error.message, entry.message), (error.resolution, entry.resolution)):
        assert "{" not in text and "}" not in text, text
        assert all(f"<{name}>" in text for name in placeholders(template)), text
    assert error.resolution.strip()


# The seed's troubleshooting table, character for character (its non-breaking spaces read as spaces), with
# its own placeholders (XXX, [XX-XXXXX-XX], MM\DD\YYYY …) given as the values of the catalogue's.
SEED_WORDINGS = [
    ("R193", "cco_number_in_use", {"code": "XXX"},
     "A change order with code XXX already exists on this contract."),
    ("R194", "job_closed", {}, "Job has been closed."),
    ("R195", "cco_id_exists", {}, "A commitment change order already exists with the specified id."),
    ("R196", "contract_item_exists", {}, "A contract item already exists on this contract with the specified code."),
    ("R197", "commitment_archived", {}, "Commitment has been archived."),
    ("R198", "commitment_code_exits", {"code": "XX-XXXXX-XX"}, "A commitment with code [XX-XXXXX-XX] already exits."),
    ("R199", "commitment_code_exists", {"code": "XX-XXXXX-XX"},
     "A commitment with code [XX-XXXXX-XX] already exists."),
    ("R200", "vendor_inactive", {}, "Vendor is inactive/has been archived."),
    ("R201", "code_change_not_allowed", {}, "Changing the code is not allowed."),
    ("R202", "category_not_on_job", {}, "No entities could be found of type [Category] with given where clause."),
    ("R203", "commitment_id_exists", {}, "A commitment already exists with the specified id."),
    ("R204", "invoice_exists", {"code": "XX-XXXXXX-XX"},
     "There are errors in the document's codings. Errors: Document already exists for specified vendor and code "
     "[XX-XXXXXX-XX]."),
    ("R205", "gl_period_closed", {"date": "MM\\DD\\YYYY"},
     "Ap Invoice Api import failed with error message: GL period closed.  Entry not allowed. (MM\\DD\\YYYY)."),
    ("R206", "no_distributions", {}, "The document's codings are incomplete: The document has no distributions."),
    ("R207", "over_tolerance", {"commitment": "XXXXXXX"},
     "Ap Invoice Api import failed with error message: Commitment XXXXXXX - amount invoiced exceeds approved amount "
     "plus tolerance."),
    ("R208", "invalid_expense_account", {"account": "XXXXX"},
     "Ap Invoice Api import failed with error message:  [XXXXX] is an invalid expense account."),
    ("R209", "entity_not_found", {}, "Entity with this ID not found."),
    ("R210", "blank", {}, "Can't be blank."),
    ("R211", "jobs_sync_failed", {},
     "We're sorry, an error occurred when attempting to sync your Jobs. Please contact your customer support rep for "
     "assistance."),
    ("R212", "rate_limited", {},
     "Unknown Error => You have surpassed the max number of requests for an hour. Please wait until your limit "
     "resets."),
    ("R213", "job_code_exists", {}, "A job with that code already exists."),
    ("R214", "name_too_long", {}, "[Name] is too long, maximum length is 30 characters."),
    ("R215", "city_too_long", {}, "[AddressCity] is too long, maximum length is 15 characters."),
    ("R216", "zip_too_long", {}, "[AddressZip] is too long, maximum length is 10 characters."),
    ("R217", "job_id_exists", {}, "A job already exists with the specified id."),
]


@pytest.mark.parametrize(("rule", "code", "context", "seed"), SEED_WORDINGS, ids=[row[0] for row in SEED_WORDINGS])
def test_the_seeds_wording_is_kept_exactly(rule, code, context, seed):
    assert CATALOGUE[code].rule == rule
    assert ErpError(code, **context).message == seed


def test_spacing_quirks_of_the_seed_are_kept():
    assert "GL period closed.  Entry not allowed." in CATALOGUE["gl_period_closed"].message  # R205: two spaces
    assert "error message:  [" in CATALOGUE["invalid_expense_account"].message  # R208: two spaces
    assert "already exits." in CATALOGUE["commitment_code_exits"].message  # R198: (sic)


def test_each_row_of_the_seeds_table_has_exactly_one_entry():
    rules = sorted(entry.rule for entry in CATALOGUE.values() if entry.rule.startswith("R"))
    assert rules == [f"R{number}" for number in range(193, 218)]


def test_no_resolution_sends_the_user_to_support():
    assert [code for code, entry in CATALOGUE.items() if "contact" in entry.resolution.lower()] == []


# --- produced through the real paths -------------------------------------------------------------


@pytest.fixture
def connector():
    return get_connector()


def job(job_id="26-105", *, name="McKinney Fire Station No. 9", city="McKinney", zip="75069") -> JobExport:
    return JobExport(job_id=job_id, name=name, address="100 Main St", city=city, state="TX", zip=zip)


def vendor(vendor_id="EAGLE", *, name="Eagle Scaffold & Hoist") -> VendorExport:
    return VendorExport(vendor_id=vendor_id, name=name, address="", city="Garland", state="TX", zip="75040",
                        telephone="", fax="")


def raised(call, *args, **kwargs) -> ErpError:
    with pytest.raises(ErpError) as error:
        call(*args, **kwargs)
    return error.value


def failed_export(item_type, obj, approver, django_capture_on_commit_callbacks, *, before_export, **fields):
    """Accept an item, change Sage (``before_export``) before its export runs, then run the export."""
    with django_capture_on_commit_callbacks() as enqueue:
        services.erp_accept(item_type=item_type, obj=obj, actor=approver, fields=fields)
    with at_sage_desktop():
        before_export()
    with django_capture_on_commit_callbacks(execute=True):
        for callback in enqueue:
            callback()
    obj.refresh_from_db()
    return obj


@pytest.fixture
def sent_project(synced_cost_codes, approver):
    project = project_create(number="26-105", name="McKinney Fire Station No. 9", city="McKinney", state="TX",
                             zip="75069")
    services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=approver)
    return project


def test_job_id_exists_when_the_job_appears_in_sage_between_accept_and_export(
    sent_project, approver, django_capture_on_commit_callbacks
):
    project = failed_export(
        ItemType.PROJECT, sent_project, approver, django_capture_on_commit_callbacks,
        before_export=lambda: sage.job_import(records=[JobImportRecord(job="26-105", description="Typed in Sage")]),
        sage_job_id="26-105",
    )

    assert (project.erp_status, project.erp_error_code, project.erp_error_message, project.erp_error_resolution) == (
        ErpStatus.FAILED_TO_EXPORT, "job_id_exists", "A job already exists with the specified id.",
        "Enter a Sage Job ID that is not used in Sage (Trestle checks it when you accept) and press Retry.",
    )
    assert Job.objects.get(job="26-105").description == "Typed in Sage"


def test_job_code_exists_when_the_same_code_with_other_punctuation_appears_in_sage(
    sent_project, approver, django_capture_on_commit_callbacks
):
    project = failed_export(
        ItemType.PROJECT, sent_project, approver, django_capture_on_commit_callbacks,
        before_export=lambda: sage.job_import(records=[JobImportRecord(job="26.105", description="Typed in Sage")]),
        sage_job_id="26-105",
    )

    assert (project.erp_status, project.erp_error_code, project.erp_error_message, project.erp_error_resolution) == (
        ErpStatus.FAILED_TO_EXPORT, "job_code_exists", "A job with that code already exists.",
        "Jobs are created in one system only and are never linked to an existing job. Reject the project, choose "
        "another Sage Job ID, and send it again.",
    )
    assert not Job.objects.filter(job="26-105").exists()


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [("name", "N" * 31, "name_too_long"), ("city", "North Richland Hills", "city_too_long"),
     ("zip", "75069-12345", "zip_too_long")],
)
def test_too_long_name_city_and_zip_are_refused_at_send_in_sages_words(synced_cost_codes, approver, field, value, code):
    # A row saved before Trestle checked Sage's limits on save (forms refuse it now): Send still refuses it.
    project = project_create(number="26-106", name="Iron Horse Clinic")
    Project.objects.filter(pk=project.pk).update(**{field: value})
    project.refresh_from_db()

    with pytest.raises(ValidationFailed) as refused:
        services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=approver)

    assert refused.value.errors == {field: [CATALOGUE[code].message]}
    project.refresh_from_db()
    assert project.erp_status == ErpStatus.NOT_IN_ERP


@pytest.mark.parametrize(
    ("export", "code", "message"),
    [(job(name="N" * 31), "name_too_long", "[Name] is too long, maximum length is 30 characters."),
     (job(city="North Richland Hills"), "city_too_long", "[AddressCity] is too long, maximum length is 15 characters."),
     (job(zip="75069-12345"), "zip_too_long", "[AddressZip] is too long, maximum length is 10 characters.")],
    ids=["name", "city", "zip"],
)
def test_too_long_fields_that_reach_sage_come_back_in_sages_words(sage_company, connector, export, code, message):
    # The seed's own rows (R214–R216), not the generic limit error.
    error = raised(connector.create_job, export, idempotency_key="too-long")

    assert (error.code, error.message, error.retryable) == (code, message, False)
    assert not Job.objects.filter(job="26-105").exists()


def extra_on_a_closed_job(connector) -> ErpError:
    with at_sage_desktop():
        sage.job_close(job="24-101")
    return raised(connector.create_extra, ExtraExport(job_id="24-101", extra="SITE", description="Sitework"),
                  idempotency_key="closed")


def test_job_closed_from_the_connector(sage_company, connector):
    error = extra_on_a_closed_job(connector)

    assert (error.code, error.message) == ("job_closed", "Job has been closed.")
    assert error.resolution.startswith("Reopen job ")  # which job: test_the_resolution_names_what_to_fix


def inactive_vendor_update() -> ErpError:
    """Sage refuses changes to an inactive vendor; the connector's translation gives the catalogue's error."""
    with at_sage_desktop():
        sage.vendor_inactivate(vendor="ACMECON")
    with pytest.raises(SageError) as refused:
        sage.vendor_update(vendor="ACMECON", city="Irving")
    return as_erp_error(refused.value)


def test_vendor_inactive_from_sage(sage_company):
    error = inactive_vendor_update()

    assert (error.code, error.message) == ("vendor_inactive", "Vendor is inactive/has been archived.")
    assert error.resolution.startswith("Reactivate vendor ")
    assert Vendor.objects.get(vendor="ACMECON").city == "Dallas"


def test_vendor_id_exists_when_another_vendor_takes_the_id_between_accept_and_export(
    connected, sage_company, approver, django_capture_on_commit_callbacks
):
    company = company_create(name="Eagle Scaffold & Hoist", city="Garland")
    services.erp_send(item_type=ItemType.COMPANY, obj=company, actor=approver)

    company = failed_export(
        ItemType.COMPANY, company, approver, django_capture_on_commit_callbacks,
        before_export=lambda: sage.vendor_create(vendor="EAGLE", name="Eagle Roofing"),
        erp_company_id="EAGLE",
    )

    assert (company.erp_status, company.erp_error_code, company.erp_error_message, company.erp_error_resolution) == (
        ErpStatus.FAILED_TO_EXPORT, "vendor_id_exists", "A vendor already exists with the specified id.",
        "If the Sage vendor is this company, link it under ERP Integrations → Vendors instead. Otherwise enter an "
        "unused ERP Company ID and press Retry.",
    )
    assert company.erp_company_id is None
    assert Vendor.objects.get(vendor="EAGLE").name == "Eagle Roofing"


def test_rate_limited_from_the_connector(sage_company, connector):
    with injected_faults(failure_rate=0, hourly_request_limit=0):
        error = raised(connector.create_job, job(), idempotency_key="limited")

    assert (error.code, error.retryable) == ("rate_limited", True)
    assert error.message == (
        "Unknown Error => You have surpassed the max number of requests for an hour. Please wait until your limit "
        "resets."
    )
    assert error.resolution == "Nothing to do: Trestle waits for the hourly limit to reset and retries by itself."
    assert not Job.objects.filter(job="26-105").exists()


def test_timeout_from_the_connector(sage_company, connector):
    with injected_faults(failure_rate=1, after_commit_share=0):
        error = raised(connector.create_vendor, vendor(), idempotency_key="timeout")

    assert (error.code, error.message, error.retryable) == (
        "timeout", "The Import operation took longer than the set timeout.", True
    )
    assert error.resolution == (
        "Nothing to do: Trestle retries with the same idempotency key, so a write that did happen is found and "
        "linked, never duplicated."
    )
    assert not Vendor.objects.filter(vendor="EAGLE").exists()


def deleted_job_replayed(connector) -> ErpError:
    """A change to a job that Sage has deleted since (the bridge's answer, as the connector reports it)."""
    from apps.sage300.connector import _translated

    connector.create_job(job("DEL1"), idempotency_key="first")
    with at_sage_desktop():
        sage.job_delete(job="DEL1")
    return raised(_translated, sage.job_update, job="DEL1", city="Plano")


def test_entity_not_found_when_a_job_sage_deleted_is_written_to(sage_company, connector):
    error = deleted_job_replayed(connector)

    assert (error.code, error.message) == ("entity_not_found", "Entity with this ID not found.")
    assert not Job.objects.filter(job="DEL1").exists()


def test_blank_from_the_connector(sage_company, connector):
    error = raised(connector.create_vendor, vendor(name="  "), idempotency_key="blank")

    assert (error.code, error.message, error.resolution) == (
        "blank", "Can't be blank.", "Fill in name and send the item again. Trestle checks required fields at Send."
    )
    assert not Vendor.objects.filter(vendor="EAGLE").exists()


# The connector's translation (apps/sage300/connector.py: as_erp_error) carries Sage's details into the
# catalogue, so each resolution names the job, vendor, entity or length to fix, never "?".


@pytest.mark.parametrize(
    ("produce", "code", "named"),
    [
        pytest.param(extra_on_a_closed_job, "job_closed", "Reopen job 24-101 in Sage", id="job_closed"),
        pytest.param(lambda c: inactive_vendor_update(), "vendor_inactive", "Reactivate vendor ACMECON in Sage",
                     id="vendor_inactive"),
        pytest.param(lambda c: raised(c.create_job, job(name="N" * 31), idempotency_key="long"), "name_too_long",
                     "Shorten the name to 30 characters or fewer (it has 31).", id="name_too_long"),
        pytest.param(lambda c: raised(c.create_job, job(city="North Richland Hills"), idempotency_key="long"),
                     "city_too_long", "Shorten the city to 15 characters or fewer (it has 20).", id="city_too_long"),
        pytest.param(lambda c: raised(c.create_job, job(zip="75069-12345"), idempotency_key="long"), "zip_too_long",
                     "Shorten the ZIP code to 10 characters or fewer (it has 11).", id="zip_too_long"),
        pytest.param(deleted_job_replayed, "entity_not_found", "Job DEL1 was not found in Sage.",
                     id="entity_not_found"),
        pytest.param(lambda c: raised(c.create_vendor, vendor("ACMECON", name="Other Co"), idempotency_key="taken"),
                     "vendor_id_exists", "link it under ERP Integrations → Vendors", id="vendor_id_exists"),
    ],
)
def test_the_resolution_names_what_to_fix(sage_company, connector, produce, code, named):
    error = produce(connector)

    assert error.code == code
    assert named in error.resolution and "?" not in error.resolution, error.resolution

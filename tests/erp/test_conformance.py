"""The conformance suite: every registered ERP document, checked the same way, by being registered.

For each document type (``apps.erp.registry.documents()``) and its sample (``tests/erp/samples.py``):
locked fields and locked child rows while in the workflow, no delete mid-workflow, Accept / Retry /
Unlink with Sage down (API and admin page: a 503 or a message, never a 500, nothing changed), a
late success, an exception that is not the ERP's, an id reserved by another item, a killed worker.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from apps.core.exceptions import ApplicationError, Conflict, ValidationFailed
from apps.erp import export, guards, services
from apps.erp.connector import get_connector
from apps.erp.errors import ErpError
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import ErpIdReservation, ExportAttempt, ExportTry
from apps.erp.records import record_from_json
from apps.erp.reconcile import Kind, reconcile
from apps.erp.registry import documents
from apps.sage300.connector import Sage300Connector
from apps.sage300.faults import injected_faults
from tests.access.helpers import api_client
from tests.erp.helpers import WorkerKilled, patch_write, run_until_settled
from tests.erp.samples import SAMPLES, Env

DOCUMENTS = documents()
IDS = [str(doc.item_type) for doc in DOCUMENTS]
URL = "/admin/erp/integrations/"


def test_every_registered_document_has_a_conformance_sample():
    assert sorted(SAMPLES) == sorted(IDS)


@pytest.fixture
def env(synced_cost_codes, approver, django_capture_on_commit_callbacks, workers):
    return Env(approver, django_capture_on_commit_callbacks)


@pytest.fixture(params=DOCUMENTS, ids=IDS)
def doc(request):
    return request.param


@pytest.fixture
def sample(doc, env):
    return SAMPLES[str(doc.item_type)](env)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def send(doc, sample, env):
    services.erp_send(item_type=doc.item_type, obj=sample.obj, actor=env.approver)
    return fresh(sample.obj)


def accept(doc, sample, env):
    """Accepted; its export queued for the test's workers but not run."""
    send(doc, sample, env)
    with env.capture(execute=True):
        services.erp_accept(item_type=doc.item_type, obj=sample.obj, actor=env.approver, fields=sample.accept_fields)
    return fresh(sample.obj)


def attempt_of(doc, obj) -> ExportAttempt:
    return ExportAttempt.objects.filter(item_type=doc.item_type, object_id=obj.pk).order_by("-pk").first()


def to_state(state, doc, sample, env, workers, clock):
    if state == ErpStatus.READY_TO_EXPORT:
        return send(doc, sample, env)
    obj = accept(doc, sample, env)
    if state == ErpStatus.EXPORTING:
        return obj
    if state == ErpStatus.SYNCED:
        workers.drain()
    elif state == ErpStatus.FAILED_TO_EXPORT:
        with injected_faults(failure_rate=1):
            run_until_settled(clock, workers)
    obj = fresh(obj)
    assert obj.erp_status == state, (obj.erp_status, obj.erp_error_message)
    return obj


def first_record_class(doc, obj) -> type:
    return type(record_from_json(attempt_of(doc, obj).plan[0]["record"]))


# --- the export itself ----------------------------------------------------------------------------


def test_an_accepted_item_is_exported_and_agrees_with_sage(doc, sample, env, workers):
    obj = accept(doc, sample, env)

    assert workers.drain() == ["succeeded"]

    obj = fresh(obj)
    assert obj.erp_status == ErpStatus.SYNCED
    assert getattr(obj, doc.erp_id_field) == sample.accept_fields[doc.id_field.name]
    (found,) = get_connector().find_written([doc.erp_record(obj)])
    assert found is not None and found.same
    assert reconcile().differences == []


# --- locks and deletes ------------------------------------------------------------------------------


def test_the_sample_changes_every_locked_field(doc, sample):
    assert set(sample.changes) >= set(doc.locked_fields)
    if doc.locked_children:
        assert sample.children, "a type with locked child rows needs a child in its sample"


def test_locked_fields_are_free_before_the_item_is_sent(doc, sample):
    changes = sample.free_changes if sample.free_changes is not None else sample.changes

    obj = doc.update(sample.obj, dict(changes))

    stored = fresh(obj)
    assert {name: getattr(stored, name) for name in changes} == changes


def test_every_declared_field_limit_is_checked_when_the_item_is_saved(doc, sample):
    # Issue 8: Sage's limits were checked only at Send; a form, the API or an import saved what Sage cannot hold.
    connector = get_connector()
    assert doc.field_limits, "a document that declares no field limits checks nothing on save"
    for model_field, (record_type, record_field) in doc.field_limits.items():
        limit = connector.limits.of(record_type)[record_field]
        before = getattr(fresh(sample.obj), model_field)

        with pytest.raises(ValidationFailed) as refused:
            doc.update(sample.obj, {model_field: "7" * (limit.max_length + 1)})

        article = "an" if doc.field_label(model_field)[:1].lower() in "aeiou" else "a"
        assert (
            f"Sage 300 CRE holds at most {limit.max_length} characters for {article} {doc.field_label(model_field)}; "
            f"shorten it. Sage says: {limit.message()}"
        ) in refused.value.errors[model_field]
        assert getattr(fresh(sample.obj), model_field) == before


@pytest.mark.parametrize("state", guards.LOCKED_STATUSES)
def test_locked_fields_cannot_change_while_the_item_is_in_the_workflow(state, doc, sample, env, workers, clock):
    obj = to_state(state, doc, sample, env, workers, clock)
    before = {name: getattr(obj, name) for name in sample.changes}

    for name, value in sample.changes.items():
        if name not in doc.locked_fields:
            continue
        with pytest.raises(ValidationFailed) as refused:
            doc.update(fresh(obj), {name: value})
        assert "is locked" in refused.value.errors[name][0]

    stored = fresh(obj)
    assert {name: getattr(stored, name) for name in sample.changes} == before


@pytest.mark.parametrize("state", guards.NO_DELETE_STATUSES)
def test_an_item_in_the_workflow_cannot_be_deleted(state, doc, sample, env, workers, clock):
    obj = to_state(state, doc, sample, env, workers, clock)

    with pytest.raises(Conflict) as refused:
        doc.delete(fresh(obj))

    assert "cannot be deleted" in refused.value.message
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("state", guards.NO_DELETE_STATUSES)
def test_locked_child_rows_cannot_be_removed_while_the_item_is_in_the_workflow(state, doc, sample, env, workers,
                                                                                clock):
    if not doc.locked_children:
        pytest.skip(f"{doc.label} declares no locked child rows")
    to_state(state, doc, sample, env, workers, clock)

    for lock in doc.locked_children:
        for child in [c for c in sample.children if isinstance(c, lock.model)]:
            with pytest.raises(ApplicationError):
                lock.delete(type(child).objects.get(pk=child.pk))
            assert type(child).objects.filter(pk=child.pk).exists()


# --- Sage down at Accept, Retry, Unlink ---------------------------------------------------------------


@pytest.mark.parametrize(("fault", "code"), [({"failure_rate": 1}, "timeout"),
                                             ({"failure_rate": 0, "hourly_request_limit": 0}, "rate_limited")])
def test_accept_while_sage_is_down_is_a_503_in_the_api_and_changes_nothing(fault, code, doc, sample, env):
    obj = send(doc, sample, env)
    url = reverse(f"{doc.api_basename}-erp-accept", args=[obj.pk])

    with injected_faults(**fault):
        response = api_client(env.approver).post(url, {"fields": sample.accept_fields}, format="json")

    assert response.status_code == 503
    body = response.json()
    assert body["code"] == code and body["message"] and body["resolution"]
    assert fresh(obj).erp_status == ErpStatus.READY_TO_EXPORT
    assert not ExportAttempt.objects.filter(item_type=doc.item_type, object_id=obj.pk).exists()
    assert not ErpIdReservation.objects.filter(item_type=doc.item_type, object_id=obj.pk).exists()


def test_accept_while_sage_is_down_on_the_admin_page_says_so_and_accepts_nothing(doc, sample, env, client):
    obj = send(doc, sample, env)
    client.force_login(env.approver)
    fields = {f"field-{obj.pk}-{name}": value for name, value in sample.accept_fields.items()}

    with injected_faults(failure_rate=1):
        response = client.post(URL, {"tab": doc.tab_key, "view": "ready_to_export", "op": "accept",
                                     "ids": [obj.pk], **fields}, follow=True)

    assert response.status_code == 200
    messages = [str(message) for message in response.context["messages"]]
    assert messages == [
        "Nothing was accepted: The Import operation took longer than the set timeout. Sage 300 CRE did not answer in "
        "time, so nothing was changed. Press Accept again in a moment."
    ]
    assert fresh(obj).erp_status == ErpStatus.READY_TO_EXPORT
    # and: what the approver typed is in the form again
    page = response.content.decode()
    for accept_field in doc.accept_fields:
        if not accept_field.choices:
            assert f'name="field-{obj.pk}-{accept_field.name}" value="{sample.accept_fields[accept_field.name]}"' in page


def test_retry_while_sage_is_down_is_a_503_and_on_the_admin_page_a_message(doc, sample, env, workers, clock, client):
    obj = to_state(ErpStatus.FAILED_TO_EXPORT, doc, sample, env, workers, clock)
    # the sender corrects the item, so the retry is a new export that Sage must check first
    changes = sample.free_changes if sample.free_changes is not None else sample.changes
    obj = doc.update(fresh(obj), dict(changes))
    url = reverse(f"{doc.api_basename}-erp-retry", args=[obj.pk])
    client.force_login(env.approver)

    with injected_faults(failure_rate=1):
        response = api_client(env.approver).post(url, {}, format="json")
        page = client.post(URL, {"tab": doc.tab_key, "view": "failed_to_export", "op": "retry", "ids": [obj.pk]},
                           follow=True)

    assert (response.status_code, response.json()["code"]) == (503, "timeout")
    assert page.status_code == 200
    assert any("The Import operation took longer" in str(m) for m in page.context["messages"])
    assert fresh(obj).erp_status == ErpStatus.FAILED_TO_EXPORT


def test_unlink_while_sage_is_down_is_a_503_and_changes_nothing(doc, sample, env, workers, clock, client):
    if doc.unlink_action is None:
        pytest.skip(f"{doc.label}s cannot be unlinked")
    obj = to_state(ErpStatus.SYNCED, doc, sample, env, workers, clock)
    url = reverse(f"{doc.api_basename}-erp-unlink", args=[obj.pk])
    client.force_login(env.approver)

    with injected_faults(failure_rate=1):
        response = api_client(env.approver).post(url, {"confirm": True}, format="json")
        page = client.post(URL, {"tab": doc.tab_key, "view": "synced", "op": "unlink", "ids": [obj.pk],
                                 "confirm": "yes"}, follow=True)

    assert (response.status_code, response.json()["code"]) == (503, "timeout")
    assert page.status_code == 200
    assert fresh(obj).erp_status == ErpStatus.SYNCED


# --- the worker: late successes, other exceptions, killed workers -----------------------------------------


def test_a_late_success_after_the_item_was_rejected_changes_nothing_and_reconcile_reports_it(
    doc, sample, env, workers, clock, monkeypatch
):
    obj = accept(doc, sample, env)
    attempt = attempt_of(doc, obj)
    record_class = first_record_class(doc, obj)
    real = getattr(Sage300Connector, record_class.write_method)
    calls = []

    def slow(self, record, *, idempotency_key):
        calls.append(idempotency_key)
        if len(calls) == 1:
            # worker 1 waits on Sage past its lease; worker 2 takes over and fails for good; the approver rejects
            clock.advance(seconds=export.LEASE.total_seconds() + 60)
            export.export_attempts_reap(now=clock())
            workers.drain()
            assert fresh(obj).erp_status == ErpStatus.FAILED_TO_EXPORT
            services.erp_reject(item_type=doc.item_type, obj=fresh(obj), actor=env.approver, comment="Wrong one")
            return real(self, record, idempotency_key=idempotency_key)  # … and then Sage writes worker 1's request
        raise ErpError("invalid_format", detail="Refused by Sage.")

    patch_write(monkeypatch, Sage300Connector, record_class, slow)

    assert workers.run(attempt.pk, worker="worker-1") in ("late success", "superseded")

    obj = fresh(obj)
    assert (obj.erp_status, getattr(obj, doc.erp_id_field)) == (ErpStatus.REJECTED, None)
    tries = list(ExportTry.objects.filter(attempt=attempt).order_by("number").values_list("worker", "outcome"))
    assert tries[0] == ("worker-1", ExportTry.Outcome.LATE_SUCCESS)
    patch_write(monkeypatch, Sage300Connector, record_class, real)
    kinds = [(d.kind, d.trestle_object) for d in reconcile().differences]
    assert (Kind.UNRECORDED_WRITE, f"{doc.label} {doc.describe(obj)}") in kinds


def test_an_exception_that_is_not_the_erps_is_a_counted_try_and_ends_failed_with_a_resolution(
    doc, sample, env, workers, clock, monkeypatch
):
    obj = accept(doc, sample, env)
    record_class = first_record_class(doc, obj)

    def broken(self, record, *, idempotency_key):
        raise RuntimeError("connection to the database lost")

    real = patch_write(monkeypatch, Sage300Connector, record_class, broken)
    run_until_settled(clock, workers)

    obj = fresh(obj)
    attempt = attempt_of(doc, obj)
    assert (obj.erp_status, obj.erp_error_code) == (ErpStatus.FAILED_TO_EXPORT, "unexpected_error")
    assert obj.erp_error_message == "Trestle could not finish the export: RuntimeError: connection to the database lost"
    assert "Retry" in obj.erp_error_resolution
    assert (attempt.status, attempt.tries) == (ExportAttempt.Status.FAILED, export.MAX_TRIES)
    assert ExportTry.objects.filter(attempt=attempt, error_code="unexpected_error").count() == export.MAX_TRIES

    # when: the cause is gone and the approver presses Retry
    patch_write(monkeypatch, Sage300Connector, record_class, real)
    with env.capture(execute=True):
        services.erp_retry(item_type=doc.item_type, obj=obj, actor=env.approver)
    run_until_settled(clock, workers)

    assert fresh(obj).erp_status == ErpStatus.SYNCED


def test_a_worker_killed_after_sage_wrote_is_recovered_by_the_next_without_a_second_write(
    doc, sample, env, workers, clock, monkeypatch
):
    obj = accept(doc, sample, env)
    record_class = first_record_class(doc, obj)
    real = getattr(Sage300Connector, record_class.write_method)
    writes = []

    def write_then_die(self, record, *, idempotency_key):
        result = real(self, record, idempotency_key=idempotency_key)
        writes.append(idempotency_key)
        if len(writes) == 1:
            raise WorkerKilled  # SIGKILL between Sage's commit and Trestle's
        return result

    patch_write(monkeypatch, Sage300Connector, record_class, write_then_die)

    run_until_settled(clock, workers)

    obj = fresh(obj)
    attempt = attempt_of(doc, obj)
    assert obj.erp_status == ErpStatus.SYNCED
    assert len(writes) == 1  # the second try found the record in Sage and did not write again
    assert attempt.result["recovered"] is True
    outcomes = list(ExportTry.objects.filter(attempt=attempt).order_by("number").values_list("outcome", flat=True))
    assert outcomes == [ExportTry.Outcome.LOST, ExportTry.Outcome.SUCCEEDED]
    assert reconcile().differences == []


# --- ids reserved by another item ----------------------------------------------------------------------


def test_an_id_already_accepted_for_another_item_is_refused_while_the_first_is_still_exporting(doc, env):
    first = SAMPLES[str(doc.item_type)](env)
    second = SAMPLES[str(doc.item_type)](env)
    accept(doc, first, env)  # exporting: nothing in Sage yet
    send(doc, second, env)
    fields = dict(second.accept_fields, **{doc.id_field.name: first.accept_fields[doc.id_field.name]})
    if str(doc.item_type) == "sub_job":
        # an extra is unique within its job: the twin is a second sub job of the same project
        from apps.projects.services import sub_job_create

        twin = sub_job_create(project=first.obj.project, code="SITE9", name="Other site")
        services.erp_send(item_type=doc.item_type, obj=twin, actor=env.approver)
        second.obj = twin

    with pytest.raises(ValidationFailed) as refused:
        services.erp_accept(item_type=doc.item_type, obj=fresh(second.obj), actor=env.approver, fields=fields)

    assert refused.value.code == "erp_id_reserved"
    assert "is already taken by" in refused.value.errors[doc.id_field.name][0]
    assert fresh(second.obj).erp_status == ErpStatus.READY_TO_EXPORT

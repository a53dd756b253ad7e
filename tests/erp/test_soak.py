"""The soak: 300 exports while Sage fails a fifth of its requests, two workers die, and a delete is tried mid-export.

150 projects (one step: the job with its cost codes), 100 companies (one step: the vendor) and 50
sub jobs (two steps: the extra, then its cost codes) are accepted in pages, the way an approver
works the queue, while the embedded Sage times out 20 % of its requests — half of those after the
write committed, so Sage has the record and Trestle never heard. Two workers are killed between
Sage's commit and Trestle's. Deleting items while they export is refused. At the end every item is
synced, Sage holds each record exactly once, and ``erp_reconcile`` finds nothing to report.
"""

from __future__ import annotations

import pytest
from django.db.models import Count

from apps.companies.models import Company
from apps.companies.services import company_create, company_delete
from apps.core.exceptions import Conflict
from apps.erp import services
from apps.erp.errors import ErpError
from apps.erp.item_types import ItemType
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import ErpTransition, ExportAttempt, ExportTry
from apps.projects.models import Project, SubJob
from apps.projects.services import project_create, project_delete, sub_job_create, sub_job_delete
from apps.sage300.connector import Sage300Connector
from apps.sage300.faults import injected_faults
from apps.sage300.models import CostCode, Extra, Job, Vendor
from apps.wbs.models import CostType, StandardCostCode
from apps.wbs.services import project_cost_code_add_from_standard
from tests.access.helpers import join
from tests.erp.helpers import WorkerKilled, run_command, run_until_settled

PROJECTS, COMPANIES, SUB_JOBS = 150, 100, 50
PAGE = 50


def _project(number: str, codes=("01-100",)) -> Project:
    project = project_create(number=number, name=f"Soak Job {number}", address=f"{number[-3:]} Main St",
                             city="Dallas", state="TX", zip="75201")
    for code in codes:
        project_cost_code_add_from_standard(
            project=project, standard_cost_code=StandardCostCode.objects.get(code=code),
            cost_types=list(CostType.objects.filter(code__in=["L", "M"])),
        )
    return project


def _accept_pages(item_type, items, approver):
    """The approver accepts the queue a page at a time; a page Sage did not answer for is pressed again."""
    for start in range(0, len(items), PAGE):
        page = items[start:start + PAGE]
        for _ in range(20):
            try:
                outcome = services.erp_accept_many(item_type=item_type, items=page, actor=approver)
            except ErpError as error:
                assert error.transient, error.as_dict()
                continue
            assert outcome.refused == {}, {pk: str(e) for pk, e in outcome.refused.items()}
            break
        else:
            raise AssertionError("Sage did not answer twenty times in a row")


@pytest.mark.django_db(databases=["default", "sage"])
def test_300_exports_under_faults_killed_workers_and_deletes_reach_sage_exactly_once(
    synced_cost_codes, approver, clock, workers, django_capture_on_commit_callbacks, monkeypatch
):
    # given: 50 projects already in Sage, each with a sub job that has a cost code of its own (so its export
    # has two steps: the extra, then its cost codes) …
    hosts = [_project(f"25-{i:03d}", codes=()) for i in range(SUB_JOBS)]
    sub_jobs = []
    for host in hosts:
        sub_job = sub_job_create(project=host, code="SITE", name=f"Sitework {host.number}")
        project_cost_code_add_from_standard(
            project=host, sub_job=sub_job, standard_cost_code=StandardCostCode.objects.get(code="03-300"),
            cost_types=list(CostType.objects.filter(code__in=["L", "M"])),
        )
        sub_jobs.append(sub_job)
        services.erp_send(item_type=ItemType.PROJECT, obj=host, actor=approver)
    with django_capture_on_commit_callbacks(execute=True):
        _accept_pages(ItemType.PROJECT, [(host, {"sage_job_id": host.number}) for host in hosts], approver)
    workers.drain()
    assert set(Project.objects.filter(pk__in=[h.pk for h in hosts]).values_list("erp_status", flat=True)) == {"synced"}
    for host in hosts:
        join(approver, host, project_admin=3)
    # … and 150 new projects and 100 new companies, all sent to ERP Integrations
    projects = [_project(f"27-{i:03d}", codes=("01-100", "03-300") if i % 2 else ("01-100",)) for i in range(PROJECTS)]
    companies = [company_create(name=f"Soak Supply {i:03d} LLC", city="Plano", state="TX", zip="75024",
                                business_phone=f"(972) 555-{i:04d}") for i in range(COMPANIES)]
    for item_type, objs in ((ItemType.PROJECT, projects), (ItemType.COMPANY, companies), (ItemType.SUB_JOB, sub_jobs)):
        for obj in objs:
            services.erp_send(item_type=item_type, obj=obj, actor=approver)

    # and: two workers die between Sage's commit and Trestle's (after a job write and after a vendor write;
    # first tries write many records in one request, so that is where they die)
    killed = []
    for method, victim in (("create_jobs", 12), ("create_vendors", 40)):
        real = getattr(Sage300Connector, method)

        def write_or_die(self, records, *, idempotency_keys, _real=real, _victim=victim, _calls=[]):
            answers = _real(self, records, idempotency_keys=idempotency_keys)
            _calls.append(1)
            if len(_calls) == _victim:
                killed.extend(idempotency_keys)
                raise WorkerKilled
            return answers

        monkeypatch.setattr(Sage300Connector, method, write_or_die)

    def approver_retries_what_ran_out_of_tries():
        for model, item_type in ((Project, ItemType.PROJECT), (Company, ItemType.COMPANY), (SubJob, ItemType.SUB_JOB)):
            for obj in model.objects.filter(erp_status=ErpStatus.FAILED_TO_EXPORT):
                # nothing but Sage's transient answers, and a resolution that says what to do
                assert obj.erp_error_code in ("timeout", "export_interrupted"), (obj, obj.erp_error_message)
                assert obj.erp_error_resolution
                try:
                    services.erp_retry(item_type=item_type, obj=obj, actor=approver)
                except ErpError as error:  # Sage timed out on the retry's own check: next round
                    assert error.transient

    # when: the approver accepts all 300 while Sage fails 20 % of requests, half of them after committing
    with injected_faults(failure_rate="0.2", after_commit_share="0.5", seed=20261202):
        with django_capture_on_commit_callbacks(execute=True):
            _accept_pages(ItemType.PROJECT, [(p, {"sage_job_id": p.number}) for p in projects], approver)
            _accept_pages(ItemType.COMPANY, [(c, {"erp_company_id": f"SOAK{i:03d}", "vendor_type": "Supplier"})
                                             for i, c in enumerate(companies)], approver)
            _accept_pages(ItemType.SUB_JOB, [(s, {"sub_job_id": "SITE"}) for s in sub_jobs], approver)
        # and: someone tries to delete items while they export: refused, the items stay
        with pytest.raises(Conflict, match="cannot be deleted"):
            project_delete(project=Project.objects.get(pk=projects[0].pk))
        with pytest.raises(Conflict, match="cannot be deleted"):
            company_delete(company=Company.objects.get(pk=companies[0].pk))
        with pytest.raises(Conflict, match="cannot be deleted"):
            sub_job_delete(sub_job=SubJob.objects.get(pk=sub_jobs[0].pk))
        with django_capture_on_commit_callbacks(execute=True):
            rounds = run_until_settled(clock, workers, between_rounds=approver_retries_what_ran_out_of_tries)

    # then: both workers died after Sage had the record; the next try found it there
    assert len(killed) == 2
    assert ExportTry.objects.filter(outcome=ExportTry.Outcome.LOST).count() == 2
    # and: every item is synced, recorded as exported exactly once
    for model in (Project, Company, SubJob):
        assert set(model.objects.values_list("erp_status", flat=True)) == {ErpStatus.SYNCED}
    succeeded = ErpTransition.objects.filter(action="export_succeeded").values("item_type", "object_id")
    assert {row["n"] for row in succeeded.annotate(n=Count("pk"))} == {1}
    assert succeeded.count() == SUB_JOBS + PROJECTS + COMPANIES + SUB_JOBS  # hosts, projects, companies, sub jobs
    # and: Sage holds each record exactly once
    assert sorted(Job.objects.exclude(job="24-101").values_list("job", flat=True)) == sorted(
        [h.number for h in hosts] + [p.number for p in projects]
    )
    assert Vendor.objects.filter(vendor__startswith="SOAK").count() == COMPANIES
    assert Extra.objects.filter(extra="SITE").count() == SUB_JOBS
    on_extras = CostCode.objects.filter(extra__extra="SITE").values("job_id", "cost_code").annotate(n=Count("pk"))
    assert sorted(row["n"] for row in on_extras) == [1] * SUB_JOBS
    # and: the faults really happened (the run is deterministic for its seed)
    attempts = ExportAttempt.objects.exclude(object_id__in=[h.pk for h in hosts], item_type=ItemType.PROJECT)
    assert attempts.count() == PROJECTS + COMPANIES + SUB_JOBS
    recovered = sum(bool(a.result.get("recovered")) for a in attempts)
    assert recovered >= 20  # after-commit failures, found in Sage instead of written twice
    assert sum(a.tries > 1 for a in attempts) >= 50
    print(f"\nsoak: {rounds} rounds, {workers.runs} worker runs, {ExportTry.objects.count()} tries, {recovered} "
          f"recovered from Sage, {len(killed)} workers killed")

    # and: reconcile finds Trestle and Sage in agreement
    status, output = run_command("erp_reconcile")
    assert (status, output.strip()) == (
        0, f"No differences: {PROJECTS + SUB_JOBS} projects, {SUB_JOBS} sub jobs, {COMPANIES} companies checked."
    )

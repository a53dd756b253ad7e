"""DESIGN §8: accept + export through the queue ≥ 100 documents/s end to end, ≤ 1 Sage request per document.

A real django-q2 cluster (``manage.py qcluster``, 2 workers, the ORM broker) runs against the test
databases in a subprocess. The clock runs from the approver's first Accept (pages of 100, one
transaction and one Sage request each) until the last document is synced. Documents: companies
(one vendor each) and projects with ten cost codes and two cost types each (one Job Cost import
each). Sage's request counter is written at every request here (``SAGE_REQUEST_FLUSH_EVERY=1``), so
the requests per document are exact.
"""

from __future__ import annotations

import datetime
import os
import signal
import subprocess
import sys
import time

import pytest
from django.conf import settings
from django.db.models import Count
from django.db import connection, connections
from django.utils import timezone

from apps.access.models import Level
from apps.companies.models import Company
from apps.companies.services import company_create
from apps.erp import services
from apps.erp.item_types import ItemType
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import ErpSettings, ExportAttempt, ExportTry
from apps.projects.models import Project
from apps.projects.services import project_create
from apps.sage300 import services as sage
from apps.sage300.faults import at_sage_desktop, request_counts_flush
from apps.wbs.erp import COST_CODES
from apps.wbs.models import CostType, StandardCostCode
from apps.wbs.services import project_cost_code_add_from_standard
from tests.access.helpers import make_user
from tests.bench.conftest import report

COMPANIES = int(os.environ.get("BENCH_COMPANIES", "1000"))
PROJECTS = int(os.environ.get("BENCH_PROJECTS", "500"))
PAGE = 100
WORKERS = 2


def _cluster_env() -> dict[str, str]:
    """The subprocess reaches the same test databases the test writes."""
    def url(alias):
        db = connections[alias].settings_dict
        return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"

    inherited = {k: v for k, v in os.environ.items() if k != "Q_SYNC"}  # the test settings' inline tasks: not here
    return {**inherited, "DATABASE_URL": url("default"), "SAGE_DATABASE_URL": url("sage"),
            "Q_WORKERS": str(WORKERS), "SAGE_REQUEST_FLUSH_EVERY": "1", "Q_LOG_LEVEL": "ERROR",
            "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_LEVEL": "WARNING"}


def _set_up():
    ErpSettings.objects.update_or_create(pk=1, defaults={"connected_at": timezone.now() - datetime.timedelta(days=1)})
    with at_sage_desktop():
        for code, description in (("L", "Labor"), ("M", "Material")):
            sage.standard_category_create(category=code, description=description, accumulate_as=description)
        for number in range(10):
            sage.standard_cost_code_create(cost_code=f"{number + 1:02d}-100", description=f"Division {number + 1}")
    from apps.erp.sync import sync_start

    sync_start(dataset=COST_CODES, trigger="command", run_inline=True)
    approver = make_user(username="bench-approver", erp=Level.ADMIN, can_push=True, directory=Level.ADMIN,
                         company_admin=Level.ADMIN)
    cost_types = list(CostType.objects.all())
    standards = list(StandardCostCode.objects.order_by("code"))
    for number in range(PROJECTS):
        project = project_create(number=f"B{number:05d}", name=f"Bench Project {number}", city="Dallas", state="TX")
        for standard in standards:
            project_cost_code_add_from_standard(project=project, standard_cost_code=standard, cost_types=cost_types)
        services.erp_send(item_type=ItemType.PROJECT, obj=project, actor=approver)
    for number in range(COMPANIES):
        company = company_create(name=f"Bench Supply {number:05d}", city="Plano", state="TX")
        services.erp_send(item_type=ItemType.COMPANY, obj=company, actor=approver)
    return approver


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the target is PostgreSQL's, with real worker processes")
@pytest.mark.django_db(transaction=True, databases=["default", "sage"])
def test_accept_and_export_through_the_worker(monkeypatch):
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", False)  # the test settings run tasks inline; here the cluster runs them
    approver = _set_up()
    projects = list(Project.objects.order_by("pk"))
    companies = list(Company.objects.order_by("pk"))
    documents = len(projects) + len(companies)
    requests_before = request_counts_flush()
    cluster = subprocess.Popen([sys.executable, "manage.py", "qcluster"], cwd=settings.BASE_DIR, env=_cluster_env(),
                               stdout=subprocess.DEVNULL, stderr=open(os.environ.get("BENCH_CLUSTER_LOG", os.devnull), "w"), start_new_session=True)
    try:
        time.sleep(4)  # the cluster is up and polling before the clock starts
        assert cluster.poll() is None, "the cluster stopped (set BENCH_CLUSTER_LOG to see why)"

        started = time.perf_counter()
        for start in range(0, len(projects), PAGE):
            page = projects[start:start + PAGE]
            outcome = services.erp_accept_many(item_type=ItemType.PROJECT, actor=approver,
                                               items=[(p, {"sage_job_id": p.number}) for p in page])
            assert outcome.refused == {}
        for start in range(0, len(companies), PAGE):
            page = companies[start:start + PAGE]
            outcome = services.erp_accept_many(item_type=ItemType.COMPANY, actor=approver,
                                               items=[(c, {"erp_company_id": f"B{c.pk:07d}"[-10:]}) for c in page])
            assert outcome.refused == {}
        accepted = time.perf_counter() - started
        deadline = time.monotonic() + float(os.environ.get("BENCH_DEADLINE", "600"))
        while ExportAttempt.objects.filter(status__in=["queued", "running"]).exists():
            if time.monotonic() > deadline:
                from django_q.models import Failure, OrmQ

                states = dict(ExportAttempt.objects.values_list("status").annotate(n=Count("pk")))
                failures = [f.result for f in Failure.objects.all()[:3]]
                raise AssertionError(f"not finished in time: {states}; queued tasks {OrmQ.objects.count()}; "
                                     f"failures {failures}")
            assert cluster.poll() is None, "the cluster stopped (set BENCH_CLUSTER_LOG to see why)"
            time.sleep(0.05)
        elapsed = time.perf_counter() - started
    finally:
        os.killpg(cluster.pid, signal.SIGTERM)
        try:
            cluster.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(cluster.pid, signal.SIGKILL)

    # the exports ran in the cluster's worker processes, not in this one
    assert set(ExportTry.objects.values_list("worker", flat=True)) and not any(
        worker.split(":")[1] == str(os.getpid()) for worker in ExportTry.objects.values_list("worker", flat=True)
    )
    assert set(Project.objects.values_list("erp_status", flat=True)) == {ErpStatus.SYNCED}
    assert set(Company.objects.values_list("erp_status", flat=True)) == {ErpStatus.SYNCED}
    requests = request_counts_flush() - requests_before
    per_document = requests / documents
    rate = documents / elapsed
    report(f"accept + export, {documents:,} documents, {WORKERS} workers (docs/s)", rate, 100, unit="/s",
           higher_is_better=True, note=f"{elapsed:.1f} s in all, accept {accepted:.1f} s")
    report("Sage requests per document (accept + export)", per_document, 1, unit="req")
    assert per_document <= 1

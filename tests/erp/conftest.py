"""Fixtures for the ERP engine: a small Sage company, a connected integration and the usual people."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from apps.access.models import Level
from apps.erp.models import ErpSettings, SyncRun
from apps.erp.sync import sync_start
from apps.sage300 import services as sage
from apps.sage300.faults import at_sage_desktop
from tests.access.helpers import join, make_user


@pytest.fixture
def sage_company(db):
    """Sage's standard lists, two vendors and a job with an extra, entered at the Sage desktop."""
    with at_sage_desktop():
        for category, description, accumulate in (("L", "Labor", "Labor"), ("M", "Material", "Material"),
                                                   ("S", "Subcontract", "Subcontract")):
            sage.standard_category_create(category=category, description=description, accumulate_as=accumulate)
        for code, description in (("01-000", "General Requirements"), ("01-100", "Supervision"),
                                  ("03-300", "Cast-in-Place Concrete"), ("09-250", "Gypsum Board")):
            sage.standard_cost_code_create(cost_code=code, description=description)
        sage.vendor_create(vendor="ACMECON", name="Acme Concrete, Inc.", city="Dallas", state="TX", zip_code="75201",
                           telephone="(214) 555-0100")
        sage.vendor_create(vendor="BRIGHTELEC", name="Brightline Electric, Inc.", city="Plano", state="TX",
                           zip_code="75024")
        from apps.sage300.import_files import CategoryImportRecord, CostCodeImportRecord, JobImportRecord

        sage.job_import(records=[
            JobImportRecord(job="24-101", description="Elm Street Medical Office", city="Dallas", state="TX",
                            zip_code="75201", status="In Progress"),
            CostCodeImportRecord(job="24-101", cost_code="01-100", description="Supervision"),
            CostCodeImportRecord(job="24-101", cost_code="01-990", description="Owner Allowance"),
            CategoryImportRecord(job="24-101", cost_code="01-100", category="L"),
            CategoryImportRecord(job="24-101", cost_code="01-990", category="O" if False else "S"),
        ])
        sage.extra_create(job="24-101", extra="BLDG", description="Building")


@pytest.fixture
def connected(db):
    """The integration was connected a day ago (projects created before that cannot be exported)."""
    return ErpSettings.objects.create(connected_at=timezone.now() - datetime.timedelta(days=1))


@pytest.fixture
def synced_cost_codes(sage_company, connected):
    run = sync_start(dataset="cost-codes", trigger=SyncRun.Trigger.COMMAND, run_inline=True)
    assert run.status == SyncRun.Status.SUCCEEDED, run.errors
    return run


@pytest.fixture
def approver(db):
    return make_user(username="approver", erp=Level.ADMIN, can_push=True, directory=Level.ADMIN)


@pytest.fixture
def pm(db):
    return make_user(username="pm", erp=Level.STANDARD, directory=Level.ADMIN, company_admin=Level.STANDARD)


@pytest.fixture
def join_project():
    def _join(user, project):
        return join(user, project, project_admin=Level.ADMIN, budget=Level.ADMIN, commitments=Level.ADMIN)

    return _join


@pytest.fixture
def clock(monkeypatch):
    """Time the test can move forward: ``clock.advance(hours=1)`` passes leases, backoffs and the hourly limit."""
    from tests.erp.helpers import Clock

    clock = Clock()
    monkeypatch.setattr(timezone, "now", clock)
    return clock


@pytest.fixture
def workers(monkeypatch):
    """The export queue as a list the test drains itself (``workers.drain()``), instead of running inline."""
    from apps.erp import services
    from tests.erp.helpers import Workers

    workers = Workers()
    monkeypatch.setattr(services, "enqueue_attempts", workers.enqueue)
    return workers


@pytest.fixture
def scripted_faults(monkeypatch):
    """``scripted_faults(None, AFTER_COMMIT, …)``: the fates of the next Sage requests, in order (then no faults).

    Each is ``None`` (answered), ``faults.BEFORE_WRITE`` or ``faults.AFTER_COMMIT`` (the write stays, the answer is
    lost), exactly as ``injected_faults`` would draw them, but chosen by the test.
    """
    from apps.sage300 import faults

    def script(*fates):
        remaining = list(fates)
        monkeypatch.setattr(faults, "draw_fault", lambda company: remaining.pop(0) if remaining else None)
        return remaining

    return script

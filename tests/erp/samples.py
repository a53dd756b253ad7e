"""One sendable sample per registered ERP document, for the conformance suite (``test_conformance.py``).

Registering a document type without adding its sample here fails the suite: every type is checked
the same way. A sample is an item ready to be sent (prerequisites met), with the approver's Accept
fields, a locked field to try to change, and — when the type has locked child rows — one child.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Callable

from apps.access.models import Level
from apps.companies.services import company_create
from apps.erp import services
from apps.erp.item_types import ItemType
from apps.projects.services import project_create, sub_job_create
from apps.wbs.models import CostType, ProjectCostCode, StandardCostCode
from apps.wbs.services import project_cost_code_add_from_standard
from tests.access.helpers import join

_numbers = itertools.count(100)


@dataclass
class Sample:
    obj: Any
    accept_fields: dict[str, str]
    changes: dict[str, object]  # a change of every locked field the type declares
    children: list = field(default_factory=list)  # locked child rows, when the type has them
    # The changes the sample's own rules allow before it is sent (all of them, unless a rule says otherwise).
    free_changes: dict[str, object] | None = None


def _project(number: str):
    project = project_create(number=number, name=f"Conformance {number}", address="1 Main St", city="Dallas",
                             state="TX", zip="75201")
    project_cost_code_add_from_standard(
        project=project, standard_cost_code=StandardCostCode.objects.get(code="01-100"),
        cost_types=list(CostType.objects.filter(code="L")),
    )
    return project


def project_sample(env) -> Sample:
    number = f"27-{next(_numbers)}"
    project = _project(number)
    changes = {"number": f"{number}X", "name": "Renamed", "address": "2 Elm St", "city": "Plano", "state": "OK",
               "zip": "75024"}
    return Sample(
        obj=project,
        accept_fields={"sage_job_id": number},
        changes={**changes, "cost_code_list": None},
        children=list(ProjectCostCode.objects.filter(project=project, sub_job=None)),
        free_changes=changes,  # a project with cost codes keeps its list anyway
    )


def sub_job_sample(env) -> Sample:
    """A sub job with a cost code of its own, under a project exported to Sage: its export has two steps."""
    number = f"28-{next(_numbers)}"
    project = _project(number)
    sub_job = sub_job_create(project=project, code="SITE", name="Sitework")
    project_cost_code_add_from_standard(
        project=project, sub_job=sub_job, standard_cost_code=StandardCostCode.objects.get(code="03-300"),
        cost_types=list(CostType.objects.filter(code__in=["L", "M"])),
    )
    env.export_now(ItemType.PROJECT, project, {"sage_job_id": number})
    join(env.approver, project, project_admin=Level.ADMIN)
    return Sample(
        obj=sub_job,
        accept_fields={"sub_job_id": "SITE"},
        changes={"code": "SITE2", "name": "Renamed sitework"},
        children=list(ProjectCostCode.objects.filter(sub_job=sub_job)),
        free_changes={"name": "Renamed sitework"},  # a sub job with cost codes keeps its code anyway (R51)
    )


def company_sample(env) -> Sample:
    number = next(_numbers)
    company = company_create(name=f"Conformance Supply {number}", city="Plano", state="TX", zip="75024")
    return Sample(obj=company, accept_fields={"erp_company_id": f"CONF{number}", "vendor_type": "Supplier"},
                  changes={"name": f"Renamed Supply {number}"})


SAMPLES: dict[str, Callable[..., Sample]] = {
    str(ItemType.PROJECT): project_sample,
    str(ItemType.SUB_JOB): sub_job_sample,
    str(ItemType.COMPANY): company_sample,
}


class Env:
    """What the samples need from the test: an approver, and a way to export an item at once."""

    def __init__(self, approver, capture):
        self.approver = approver
        self.capture = capture

    def export_now(self, item_type, obj, fields):
        from apps.erp.export import export_attempts_run
        from apps.erp.models import ExportAttempt

        services.erp_send(item_type=item_type, obj=obj, actor=self.approver)
        with self.capture(execute=False):
            services.erp_accept(item_type=item_type, obj=obj, actor=self.approver, fields=fields)
        attempt = ExportAttempt.objects.get(item_type=item_type, object_id=obj.pk, status="queued")
        export_attempts_run(attempt_ids=[attempt.pk], worker="sample-setup")
        obj.refresh_from_db()
        assert obj.erp_status == "synced", (obj, obj.erp_error_message)
        return obj

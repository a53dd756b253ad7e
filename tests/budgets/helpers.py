"""Builders for the budget tests: a project with cost codes / cost types, some on the Sage job, and users."""

from __future__ import annotations

import itertools
from decimal import Decimal

from django.utils import timezone

from apps.access.models import Level
from apps.budgets.services import budget_create, budget_line_create
from apps.projects.services import project_create
from apps.wbs.models import CostType, ProjectCostCode, ProjectCostType
from tests.access.helpers import join, make_user

_counter = itertools.count(1)


def cost_type(code: str) -> CostType:
    names = {"L": "Labor", "M": "Material", "S": "Subcontract"}
    return CostType.objects.get_or_create(code=code, defaults={"description": names.get(code, code)})[0]


def project_with_codes(number: str | None = None, *, codes=(("01-100", True), ("02-200", True), ("03-300", False))):
    """A project whose cost codes each have a Labor and Material cost type; ``True`` means on the Sage job."""
    project = project_create(number=number or f"B-{next(_counter)}", name="Warehouse")
    synced_at = timezone.now()
    for code, on_sage in codes:
        pcc = ProjectCostCode.objects.create(project=project, code=code, description=f"Work {code}",
                                             erp_synced_at=synced_at if on_sage else None)
        for ct in ("L", "M"):
            ProjectCostType.objects.create(project_cost_code=pcc, cost_type=cost_type(ct),
                                           erp_synced_at=synced_at if on_sage else None)
    return project


def pct(project, code: str, ct: str) -> ProjectCostType:
    return ProjectCostType.objects.get(project_cost_code__project=project, project_cost_code__code=code,
                                       cost_type__code=ct)


def budget_with_lines(project, amounts: dict[tuple[str, str], str]):
    budget = budget_create(project=project)
    lines = {key: budget_line_create(budget=budget, project_cost_type=pct(project, *key),
                                     data={"original_amount": Decimal(value)})
             for key, value in amounts.items()}
    return budget, lines


def budget_user(project, level: Level = Level.ADMIN, **kwargs):
    user = make_user(**kwargs)
    join(user, project, budget=level)
    return user

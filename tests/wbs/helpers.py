"""Builders for the hub reference-data tests (WBS, projects, companies) and CSV/XLSX files."""

from __future__ import annotations

import csv
import io
import itertools

import openpyxl
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from apps.projects.services import project_create
from apps.wbs.models import CostCodeList
from apps.wbs.services import (
    cost_code_list_create,
    cost_code_list_get_or_create_erp,
    cost_types_upsert,
    standard_cost_codes_upsert,
)

_counter = itertools.count(1)


def erp_list() -> CostCodeList:
    return cost_code_list_get_or_create_erp()


def custom_list(name: str = "Company custom list") -> CostCodeList:
    return cost_code_list_create(name=name)


def cost_types(*codes: str) -> None:
    """Cost types by code (L → Labor, M → Material …)."""
    names = {"L": "Labor", "M": "Material", "S": "Subcontract", "E": "Equipment", "O": "Other"}
    cost_types_upsert(rows=[{"code": code, "description": names.get(code, code)} for code in codes])


def standard_codes(cost_code_list: CostCodeList, *rows: dict) -> None:
    standard_cost_codes_upsert(cost_code_list=cost_code_list, rows=list(rows))


def project(number: str | None = None, **kwargs):
    return project_create(number=number or f"P-{next(_counter)}", name=kwargs.pop("name", "Warehouse"), **kwargs)


def staff_user(*permissions: str, username: str | None = None):
    """A staff user holding exactly ``permissions`` ("app_label.codename")."""
    user = get_user_model().objects.create_user(
        username=username or f"staff{next(_counter)}", password="x", is_staff=True
    )
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))
    return user


def csv_file(rows: list[list[object]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue().encode("utf-8")


def xlsx_file(rows: list[list[object]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_rows(data: bytes) -> list[list[object]]:
    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]

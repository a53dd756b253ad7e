"""Job Cost's standard lists: standard cost codes and standard categories (the company's WBS)."""

from __future__ import annotations

from django.db import transaction

from apps.sage300.errors import SageError
from apps.sage300.faults import sage_call
from apps.sage300.limits import CATEGORY_FIELDS, COST_CODE_FIELDS
from apps.sage300.models import AccumulateAs, StandardCategory, StandardCostCode
from apps.sage300.routers import SAGE_ALIAS
from apps.sage300.rules import check_choice, check_cost_code_format, check_length, is_group_cost_code, require, text
from apps.sage300.services.common import UNCHANGED, given


def validate_standard_cost_code(*, cost_code: str, description: str, creating: bool) -> None:
    code = require(cost_code, field="cost_code")
    check_length(code, COST_CODE_FIELDS["cost_code"], field="cost_code")
    check_cost_code_format(code)
    check_length(text(description), COST_CODE_FIELDS["description"], field="description")
    exists = StandardCostCode.objects.filter(cost_code=code).exists()
    if creating and exists:
        raise SageError("standard_cost_code_exists", field="cost_code")
    if not creating and not exists:
        raise SageError("entity_not_found", field="cost_code")


@sage_call("standard_cost_code_create")
@transaction.atomic(using=SAGE_ALIAS)
def standard_cost_code_create(*, cost_code: str, description: str = "") -> StandardCostCode:
    validate_standard_cost_code(cost_code=cost_code, description=description, creating=True)
    code = text(cost_code)
    return StandardCostCode.objects.create(
        cost_code=code, description=text(description), group_cost_code=is_group_cost_code(code)
    )


@sage_call("standard_cost_code_update")
@transaction.atomic(using=SAGE_ALIAS)
def standard_cost_code_update(*, cost_code: str, description: str) -> StandardCostCode:
    validate_standard_cost_code(cost_code=cost_code, description=description, creating=False)
    standard = StandardCostCode.objects.select_for_update().get(cost_code=text(cost_code))
    standard.description = text(description)
    standard.save(update_fields=["description", "date_stamp"])
    return standard


def validate_standard_category(
    *, category: str, description: object = UNCHANGED, accumulate_as: object = UNCHANGED, creating: bool
) -> None:
    code = require(category, field="category")
    check_length(code, CATEGORY_FIELDS["category"], field="category")
    if description is not UNCHANGED:
        check_length(text(description), CATEGORY_FIELDS["description"], field="description")
    if accumulate_as is not UNCHANGED:
        check_choice(text(accumulate_as), AccumulateAs.values, field="accumulate_as")
    exists = StandardCategory.objects.filter(category=code).exists()
    if creating and exists:
        raise SageError("standard_category_exists", field="category")
    if not creating and not exists:
        raise SageError("entity_not_found", field="category")


@sage_call("standard_category_create")
@transaction.atomic(using=SAGE_ALIAS)
def standard_category_create(
    *, category: str, description: str = "", accumulate_as: str = AccumulateAs.OTHER
) -> StandardCategory:
    validate_standard_category(category=category, description=description, accumulate_as=accumulate_as, creating=True)
    return StandardCategory.objects.create(
        category=text(category), description=text(description), accumulate_as=text(accumulate_as)
    )


@sage_call("standard_category_update")
@transaction.atomic(using=SAGE_ALIAS)
def standard_category_update(
    *, category: str, description: object = UNCHANGED, accumulate_as: object = UNCHANGED
) -> StandardCategory:
    validate_standard_category(category=category, description=description, accumulate_as=accumulate_as, creating=False)
    standard = StandardCategory.objects.select_for_update().get(category=text(category))
    changes = {name: text(value) for name, value in given(description=description, accumulate_as=accumulate_as).items()}
    for name, value in changes.items():
        setattr(standard, name, value)
    standard.save(update_fields=[*changes, "date_stamp"])
    return standard

"""Every API list and every admin changelist runs the same number of queries at page sizes 10 and 100
(issue 8, Build 10): no query per row.

The lists are enumerated — the API router's list routes, every ModelAdmin on the admin site (the Sage 300
CRE section included), every view of every ERP Integrations tab — so a new one is checked without being
named here. Rows come from one generic builder: for each model, ``ROWS`` rows whose every relation is set
(nullable ones too, so that "sent by", "approved by" and the like are there to be fetched per row if a
list forgot to join them). A model whose table holds one row by design is named in ``SINGLETONS`` with
its reason, and checked with that one row.
"""

from __future__ import annotations

import datetime
import decimal
import itertools
import uuid

import pytest
from django.contrib import admin
from django.db import connections, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from apps.erp.lifecycle import ErpExportable, ErpStatus

ROWS = 105
SMALL, LARGE = 10, 100

# One row by design (a database constraint says so); its changelist is still loaded and counted.
SINGLETONS = {"sage300.SageCompany": "CHECK (id = 1): the one Sage company this simulator holds"}

_base36 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _code(number: int, max_length: int | None) -> str:
    text = f"Q{number:05d}"
    if max_length is None or len(text) <= max_length:
        return text
    digits, left = "", number
    while left:
        left, rest = divmod(left, 36)
        digits = _base36[rest] + digits
    assert len(digits) <= max_length, f"cannot make {number} unique in {max_length} characters"
    return digits


def _value(field: models.Field, number: int):
    if field.choices and not field.unique:
        return field.get_default() if field.has_default() else field.choices[0][0]
    if field.has_default() and not field.unique and not field.primary_key:
        return field.get_default()
    if isinstance(field, models.EmailField):
        return f"row{number}@example.com"
    if isinstance(field, models.GenericIPAddressField):
        return "127.0.0.1"
    if isinstance(field, models.UUIDField):
        return uuid.uuid4()
    if isinstance(field, models.JSONField):
        return {}
    if isinstance(field, models.CharField | models.TextField | models.SlugField):
        return _code(number, field.max_length)
    if isinstance(field, models.BooleanField):
        return False
    if isinstance(field, models.DecimalField):
        return decimal.Decimal(number % 10)
    if isinstance(field, models.IntegerField):
        return number
    if isinstance(field, models.DateTimeField):
        return timezone.now() - datetime.timedelta(minutes=number)
    if isinstance(field, models.DateField):
        return datetime.date(2020, 1, 1) + datetime.timedelta(days=number)
    if isinstance(field, models.TimeField):
        return datetime.time(12, 0)
    if isinstance(field, models.DurationField):
        return datetime.timedelta(seconds=number)
    if isinstance(field, models.BinaryField):
        return b""
    if field.null:
        return None
    if type(field).__name__ == "PickledObjectField":
        return {}
    raise AssertionError(f"no value for {field!r}: teach _value this field type")


def _distinct_parent_fields(model) -> set[str]:
    """Relations that must differ row to row: one-to-one, or a unique key made of relations and choices."""
    names = {f.name for f in model._meta.concrete_fields if f.is_relation and f.unique and not f.primary_key}
    keys = [constraint.fields for constraint in model._meta.constraints if isinstance(constraint, models.UniqueConstraint)]
    keys += [tuple(key) for key in model._meta.unique_together]
    for key in keys:
        fields = [model._meta.get_field(name) for name in key]
        relations = [field.name for field in fields if field.is_relation]
        if relations and all(field.is_relation or field.choices for field in fields):
            names.add(relations[0])
    return names


class Builder:
    """``ROWS`` rows of any model, parents built once (or once per row where a unique key needs it)."""

    def __init__(self):
        self.shared: dict[type, models.Model] = {}
        self.serial = itertools.count(1)

    def overrides(self, model, number: int) -> dict:
        if model._meta.label == "django_q.Task":  # half succeeded (Successful tasks), half failed (Failed tasks)
            return {"success": number % 2 == 0}
        if model._meta.label == "sage300.Category":  # CHECK: the total is the original plus approved changes
            return {"total_estimate": 2 * _value(model._meta.get_field("original_estimate"), number)}
        if model._meta.label in ("sage300.JCBatch", "sage300.JCTransaction"):
            # One unposted batch at a time (a partial unique key), and a posting date exactly when posted.
            return {"status": "Posted"} if model._meta.label == "sage300.JCBatch" else {"posted": True}
        if model._meta.label == "sage300.GLPeriod":
            start = datetime.date(1900 + number // 12, number % 12 + 1, 1)
            return {"fiscal_year": start.year, "period": start.month, "start_date": start,
                    "end_date": start + datetime.timedelta(days=27)}
        return {}

    def instance(self, model, number: int, *, distinct_parents: bool = True) -> models.Model:
        values = {}
        distinct = _distinct_parent_fields(model) if distinct_parents else set()
        for field in model._meta.concrete_fields:
            if isinstance(field, models.AutoField) or getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                continue
            if field.is_relation:
                related = field.related_model
                if related is model:
                    continue  # a row's parent row of the same table: left empty
                if field.name in distinct:
                    values[field.name] = self.one(related)
                else:
                    values[field.name] = self.parent(related)
                continue
            if field.primary_key and field.has_default():
                continue
            values[field.name] = _value(field, number)
        values.update(self.overrides(model, number))
        return model(**values)

    def one(self, model) -> models.Model:
        obj = self.instance(model, next(self.serial))
        obj.save(using=self.db(model))
        return obj

    def parent(self, model) -> models.Model:
        if model not in self.shared:
            self.shared[model] = self.one(model)
        return self.shared[model]

    def db(self, model) -> str:
        from django.db import router

        return router.db_for_write(model)

    def rows(self, model, count: int = ROWS) -> None:
        objects = [self.instance(model, next(self.serial)) for _ in range(count)]
        model._default_manager.db_manager(self.db(model)).bulk_create(objects)


def changelists() -> list[type[models.Model]]:
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.fixture
def every_table(db, admin_user):
    builder = Builder()
    builder.shared[type(admin_user)] = admin_user
    for model in changelists():
        if model._meta.label in SINGLETONS:
            if not model._default_manager.exists():
                builder.one(model)
            continue
        if model._meta.proxy:
            model = model._meta.concrete_model  # e.g. authtoken's TokenProxy: the Token table
        builder.rows(model, ROWS * 2 if model._meta.label == "django_q.Task" else ROWS)
    # Items waiting in the ERP queue, sent and approved by someone (fetched per row if a list forgot to join).
    for model in {doc.model for doc in _documents()}:
        model._default_manager.update(erp_status=ErpStatus.READY_TO_EXPORT, erp_sent_by=admin_user,
                                      erp_approved_by=admin_user, erp_sent_at=timezone.now())
    return builder


def _documents():
    from apps.erp.registry import documents

    return documents()


def _count(call) -> tuple[int, object]:
    with CaptureQueriesContext(connections["default"]) as default, CaptureQueriesContext(connections["sage"]) as sage:
        answer = call()
    return len(default.captured_queries) + len(sage.captured_queries), (default, sage)


def _sql(captured) -> str:
    return "\n".join(query["sql"] for context in captured for query in context.captured_queries)


# --- the admin's changelists --------------------------------------------------------------------------------


def test_every_registered_model_is_counted():
    """The admin site and this test agree on what there is; a model is checked with rows or named a singleton."""
    assert len(changelists()) >= 30
    for label in SINGLETONS:
        assert any(model._meta.label == label for model in changelists()), f"{label} is no longer in the admin"


@pytest.mark.parametrize("model", changelists(), ids=lambda model: model._meta.label)
def test_a_changelist_runs_as_many_queries_at_100_rows_as_at_10(model, every_table, admin_client, monkeypatch):
    model_admin = admin.site._registry[model]
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    expected_rows = 1 if model._meta.label in SINGLETONS else LARGE

    def load(per_page):
        monkeypatch.setattr(model_admin, "list_per_page", per_page)
        admin_client.get(url)  # warm per-process caches (content types, registry) before counting
        count, captured = _count(lambda: admin_client.get(url))
        return count, captured

    answer = admin_client.get(url)
    assert answer.status_code == 200, answer.status_code
    assert len(answer.context["cl"].result_list) == min(expected_rows, model_admin.list_per_page)
    small, small_sql = load(SMALL)
    large, large_sql = load(LARGE)
    assert large == small, f"{model._meta.label}: {small} queries at {SMALL} rows, {large} at {LARGE}\n" + _sql(large_sql)


# --- the ERP Integrations page ---------------------------------------------------------------------------------


def _erp_views():
    from apps.erp.selectors import tabs

    return [(t.key, view) for t in tabs() for view in (t.views or ("",))]


@pytest.mark.parametrize(("tab", "view"), _erp_views(), ids=lambda value: value or "panel")
def test_an_erp_integrations_view_runs_as_many_queries_at_100_rows_as_at_10(tab, view, every_table, admin_client,
                                                                              monkeypatch):
    from apps.erp import admin_views
    from apps.erp.models import StagedRecord

    kinds = {doc.staged_kind for doc in _documents() if doc.staged_kind}
    rows = list(StagedRecord.objects.order_by("pk")[: ROWS * len(kinds)].values_list("pk", flat=True))
    for index, kind in enumerate(sorted(kinds)):  # waiting and archived records of every kind
        chunk = rows[index * ROWS:(index + 1) * ROWS]
        StagedRecord.objects.filter(pk__in=chunk[: ROWS // 2 + 1]).update(kind=kind, status="staged")
        StagedRecord.objects.filter(pk__in=chunk[ROWS // 2 + 1:]).update(kind=kind, status="archived")
    url = reverse("erp-integrations")

    def load(per_page):
        monkeypatch.setattr(admin_views, "PAGE_SIZE", per_page)
        admin_client.get(url, {"tab": tab, "view": view})
        return _count(lambda: admin_client.get(url, {"tab": tab, "view": view}))

    small, _ = load(SMALL)
    large, large_sql = load(LARGE)
    assert large == small, f"{tab}/{view}: {small} queries at {SMALL} rows, {large} at {LARGE}\n" + _sql(large_sql)


# --- the API's lists ----------------------------------------------------------------------------------------------


def api_lists() -> list[tuple[str, str]]:
    from config.api_urls import router

    found = []
    for prefix, viewset, basename in router.registry:
        if hasattr(viewset, "list"):
            found.append((prefix, basename))
    return found


def test_the_api_lists_are_enumerated_from_the_router():
    assert {prefix for prefix, _ in api_lists()} >= {"projects", "sub-jobs", "companies", "erp/queue", "erp/syncs"}


# Every list as it comes, and the filters the issue measured (companies linked to Sage: 203 queries at 100).
FILTERED = [("companies", "company", {"erp_linked": "true"}), ("erp/queue", "erp-queue", {"type": "sub_job"})]


@pytest.mark.parametrize(("prefix", "basename", "params"), [(p, b, {}) for p, b in api_lists()] + FILTERED,
                         ids=lambda value: value if isinstance(value, str) else "&".join(f"{k}={v}" for k, v in value.items()) or "plain")
def test_an_api_list_runs_as_many_queries_at_page_size_100_as_at_10(prefix, basename, params, every_table, admin_user):
    api = APIClient()
    api.force_authenticate(admin_user)
    url = reverse(f"{basename}-list")

    def load(page_size):
        api.get(url, {**params, "page_size": page_size})
        return _count(lambda: api.get(url, {**params, "page_size": page_size}))

    full = api.get(url, {**params, "page_size": LARGE}).json()
    assert len(full["results"]) == LARGE, f"{url}: only {len(full['results'])} rows to page through"
    small, _ = load(SMALL)
    large, large_sql = load(LARGE)
    assert large == small, f"{url}: {small} queries at {SMALL} rows, {large} at {LARGE}\n" + _sql(large_sql)


def test_every_exportable_list_has_items_in_the_queue(every_table):
    for doc in _documents():
        assert issubclass(doc.model, ErpExportable)
        assert doc.model.objects.filter(erp_status=ErpStatus.READY_TO_EXPORT).count() >= ROWS

"""One bulk path for every sync: upsert rows by their key, in a few statements whatever their number.

PostgreSQL: the rows go into a temporary table with ``COPY``, then one ``INSERT … SELECT … ON
CONFLICT (key) DO UPDATE … WHERE (compared columns) IS DISTINCT FROM (the new ones)`` writes the
new and the changed rows and leaves the unchanged ones untouched (no dead tuples, no lock).
SQLite: the same statements, the temporary table filled with one batched ``executemany``.

The key must carry a unique constraint (or unique index) on exactly its columns. Saves bypass
``save()`` and signals, like ``bulk_create``: callers that keep a change history write it from
the ``changed`` keys returned (see ``apps.companies.erp``).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.db import connections, models, router, transaction

_names = itertools.count()


class JsonText(str):
    """A JSON column's value already serialised (e.g. the text its content hash was taken from): written as is."""


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Keys (tuples in ``key`` order) of the rows written, new or changed, with the ``returning`` columns.
    created_rows: list[tuple] = field(default_factory=list)
    updated_rows: list[tuple] = field(default_factory=list)

    def __add__(self, other: UpsertResult) -> UpsertResult:
        return UpsertResult(
            self.created + other.created, self.updated + other.updated, self.unchanged + other.unchanged,
            self.created_rows + other.created_rows, self.updated_rows + other.updated_rows,
        )


def _qualified(where: str, alias: str) -> str:
    """``where`` with its bare column names prefixed by ``alias`` (columns are written quoted)."""
    import re

    return re.sub(r'("[A-Za-z_][A-Za-z0-9_]*")', rf"{alias}.\1", where)


def _column(model: type[models.Model], name: str) -> models.Field:
    return model._meta.get_field(name)


def _prepper(model_field: models.Field, connection):
    """A fast value → database value function for one column (Django's own for anything unusual)."""
    if isinstance(model_field, models.JSONField):
        return lambda value: value if value is None or isinstance(value, JsonText) else json.dumps(
            value, cls=model_field.encoder
        )
    if connection.vendor == "postgresql" and isinstance(
        model_field, (models.CharField, models.TextField, models.IntegerField, models.BooleanField,
                      models.DecimalField, models.DateTimeField, models.DateField)
    ):
        return lambda value: value  # psycopg adapts these itself
    if isinstance(model_field, (models.CharField, models.TextField, models.IntegerField, models.BooleanField)) and not (
        model_field.is_relation
    ):
        return lambda value: value
    return lambda value: model_field.get_db_prep_save(value, connection)


def upsert(
    model: type[models.Model],
    rows: Sequence[Mapping[str, object]],
    *,
    key: Sequence[str],
    fields: Sequence[str],
    compare: Sequence[str] | None = None,
    insert_values: Mapping[str, object] | None = None,
    update_values: Mapping[str, object] | None = None,
    returning: Sequence[str] = (),
    where: str = "",
    update: bool = True,
    insert_only: Sequence[str] = (),
) -> UpsertResult:
    """Insert the rows whose key is new, update those whose ``compare`` columns changed.

    ``rows`` carry ``key`` and ``fields`` (model field names; ``attname`` for foreign keys).
    ``insert_values`` are set on new rows only (e.g. ``created_at``, a status), ``update_values``
    on new and changed rows (e.g. ``updated_at``). Later duplicates of a key win. ``where`` is the
    predicate of a partial unique index the key relies on (SQL on the table's columns, e.g.
    ``"sub_job_id" IS NULL``). Returns the counts and, for the rows written, their key plus
    ``returning`` columns. ``update=False`` only inserts what is missing and leaves existing rows alone.
    ``insert_only`` fields come from the rows like ``fields`` but are written only on new rows.
    """
    if not rows:
        return UpsertResult()
    key, fields = list(key), list(dict.fromkeys(fields))
    compare = list(compare if compare is not None else fields)
    insert_only = [name for name in insert_only if name not in fields]
    insert_values = dict(insert_values or {})
    update_values = dict(update_values or {})
    by_key = {tuple(row[name] for name in key): row for row in rows}  # later duplicates win
    alias = router.db_for_write(model)
    connection = connections[alias]
    table = connection.ops.quote_name(model._meta.db_table)
    quote = connection.ops.quote_name
    staged = [*key, *[name for name in [*fields, *insert_only] if name not in key]]
    columns = {name: _column(model, name).column for name in [*staged, *insert_values, *update_values, *returning]}
    preppers = [_prepper(_column(model, name), connection) for name in staged]
    temp = f"tmp_upsert_{next(_names)}"
    values = [[prep(row[name]) for prep, name in zip(preppers, staged)] for row in by_key.values()]

    with transaction.atomic(using=alias), connection.cursor() as cursor:
        staged_sql = ", ".join(quote(columns[name]) for name in staged)
        if connection.vendor == "postgresql":
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {staged_sql} FROM {table} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY {temp} ({staged_sql}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            cursor.execute(f"CREATE TEMPORARY TABLE {temp} ({staged_sql})")
            placeholders = ", ".join(["%s"] * len(staged))
            cursor.executemany(f"INSERT INTO {temp} ({staged_sql}) VALUES ({placeholders})", values)
        try:
            key_sql = ", ".join(quote(columns[name]) for name in key)
            join = " AND ".join(f"t.{quote(columns[name])} = s.{quote(columns[name])}" for name in key)
            cursor.execute(f"SELECT {', '.join(f's.{quote(columns[name])}' for name in key)} FROM {temp} s "
                           f"JOIN {table} t ON {join}{' AND ' + _qualified(where, 't') if where else ''}")
            existing = {tuple(row) for row in cursor.fetchall()}

            extra = {**insert_values, **update_values}
            insert_columns = staged + list(extra)
            insert_sql = ", ".join(quote(columns[name]) for name in insert_columns)
            select_sql = ", ".join([f"s.{quote(columns[name])}" for name in staged] + ["%s"] * len(extra))
            params = [_column(model, name).get_db_prep_save(value, connection) for name, value in extra.items()]
            updated_columns = [name for name in fields if name not in key] + list(update_values) if update else []
            target_where = f" WHERE {where}" if where else ""
            if updated_columns:
                assignments = ", ".join(f"{quote(columns[name])} = EXCLUDED.{quote(columns[name])}" for name in updated_columns)
                if compare:
                    current = ", ".join(f"{table}.{quote(columns[name])}" for name in compare)
                    incoming = ", ".join(f"EXCLUDED.{quote(columns[name])}" for name in compare)
                    changed = f" WHERE ({current}) IS DISTINCT FROM ({incoming})" if len(compare) > 1 else (
                        f" WHERE {current} IS DISTINCT FROM {incoming}"
                    )
                    if connection.vendor != "postgresql":
                        changed = changed.replace("IS DISTINCT FROM", "IS NOT")
                else:
                    changed = ""
                conflict = f"ON CONFLICT ({key_sql}){target_where} DO UPDATE SET {assignments}{changed}"
            else:
                conflict = f"ON CONFLICT ({key_sql}){target_where} DO NOTHING"
            back = [*key, *[name for name in returning if name not in key]]
            returning_sql = ", ".join(quote(columns[name]) for name in back)
            cursor.execute(
                f"INSERT INTO {table} ({insert_sql}) SELECT {select_sql} FROM {temp} s WHERE true {conflict} "
                f"RETURNING {returning_sql}",
                params,
            )
            written = [tuple(row) for row in cursor.fetchall()]
        finally:
            if connection.vendor != "postgresql":
                cursor.execute(f"DROP TABLE {temp}")

    result = UpsertResult()
    width = len(key)
    for row in written:
        (result.updated_rows if row[:width] in existing else result.created_rows).append(row)
    result.created = len(result.created_rows)
    result.updated = len(result.updated_rows)
    result.unchanged = len(by_key) - result.created - result.updated
    return result


def bulk_update(model: type[models.Model], objects: Sequence[models.Model], fields: Sequence[str], *,
                history_reason: str | None = None, history_user=None) -> int:
    """Write ``fields`` of ``objects`` (saved rows) in two statements: the values into a temporary table, then
    one ``UPDATE … FROM`` it by primary key — instead of Django's ``bulk_update``, whose ``CASE WHEN`` per field
    and row costs milliseconds of Python per object.

    With ``history_reason``, a model with a change history (django-simple-history) gets its history rows too
    (``bulk_update`` skips them), with that reason and ``history_user`` as who changed them (None: Trestle itself).
    """
    objects = list(objects)
    if not objects:
        return 0
    fields = list(dict.fromkeys(fields))
    alias = router.db_for_write(model)
    connection = connections[alias]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    pk = model._meta.pk
    columns = [pk] + [_column(model, name) for name in fields]
    preppers = [_prepper(column, connection) for column in columns]
    values = [[prep(getattr(obj, column.attname)) for prep, column in zip(preppers, columns)] for obj in objects]
    temp = f"tmp_update_{next(_names)}"
    names_sql = ", ".join(quote(column.column) for column in columns)
    assignments = ", ".join(f"{quote(column.column)} = s.{quote(column.column)}" for column in columns[1:])
    with transaction.atomic(using=alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"CREATE TEMPORARY TABLE {temp} ON COMMIT DROP AS SELECT {names_sql} FROM {table} WITH NO DATA")
            with cursor.cursor.copy(f"COPY {temp} ({names_sql}) FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            cursor.execute(f"CREATE TEMPORARY TABLE {temp} ({names_sql})")
            cursor.executemany(f"INSERT INTO {temp} ({names_sql}) VALUES ({', '.join(['%s'] * len(columns))})", values)
        try:
            cursor.execute(f"UPDATE {table} SET {assignments} FROM {temp} s WHERE {table}.{quote(pk.column)} = "
                           f"s.{quote(pk.column)}")
            count = cursor.rowcount
        finally:
            if connection.vendor != "postgresql":
                cursor.execute(f"DROP TABLE {temp}")
        if history_reason is not None and hasattr(model, "history"):
            model.history.bulk_history_create(objects, update=True, default_change_reason=history_reason,
                                              default_user=history_user)
    return count

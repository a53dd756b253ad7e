"""Idempotent writes, as hh2's request log gives them: a repeated key gets the first answer, not a second write.

The ledger row is written in the same transaction as the write it records, so a request that
timed out after Sage committed (see ``faults``) is answered from the ledger when retried.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import TypeVar

from django.db import IntegrityError, transaction

from apps.erp.connector import FieldLimit
from apps.sage300.errors import SageError
from apps.sage300.models import SageApiRequest
from apps.sage300.routers import SAGE_ALIAS
from apps.sage300.rules import check_length, text

R = TypeVar("R")

IDEMPOTENCY_KEY = FieldLimit(SageApiRequest._meta.get_field("idempotency_key").max_length, "IdempotencyKey")


def _plain(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {"record_type": type(value).__name__, **{k: _plain(v) for k, v in dataclasses.asdict(value).items()}}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, (Decimal, datetime.date)):
        return str(value)
    return value


def request_fingerprint(request: Mapping[str, object]) -> str:
    """A stable hash of a request's arguments, to tell a true retry from a reused key."""
    canonical = json.dumps(_plain(request), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _one_request_per_key(key: str) -> None:
    """Hold back any other request with this key until this transaction ends.

    Without it a concurrent request could commit between our ledger check and our own checks,
    and we would answer "already exists" instead of replaying its answer. PostgreSQL gets a
    transaction-scoped advisory lock; SQLite's IMMEDIATE transactions already run one writer at a time.
    """
    connection = transaction.get_connection(SAGE_ALIAS)
    if connection.vendor == "postgresql":
        lock_id = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock_id])


def idempotent_write(
    *,
    operation: str,
    idempotency_key: str | None,
    request: Mapping[str, object],
    write: Callable[[], tuple[R, str, dict]],
    replay: Callable[[SageApiRequest], R],
) -> R:
    """Run ``write`` once per key, atomically with its ledger row.

    ``write`` validates, writes and returns ``(result, entity_key, response_summary)``;
    ``replay`` rebuilds the result of an earlier request from its ledger row.
    """
    key = text(idempotency_key)
    if key:
        check_length(key, IDEMPOTENCY_KEY, field="idempotency_key")
    fingerprint = request_fingerprint(request)
    for attempt in (1, 2):
        try:
            with transaction.atomic(using=SAGE_ALIAS):
                if key:
                    _one_request_per_key(key)
                    earlier = SageApiRequest.objects.filter(idempotency_key=key).first()
                    if earlier is not None:
                        if earlier.operation != operation or earlier.request_hash != fingerprint:
                            raise SageError("idempotency_key_reused", field="idempotency_key", key=key)
                        return replay(earlier)
                result, entity_key, summary = write()
                if key:
                    SageApiRequest.objects.create(
                        idempotency_key=key,
                        operation=operation,
                        entity_key=entity_key,
                        request_hash=fingerprint,
                        response=summary,
                    )
                return result
        except IntegrityError:
            # A concurrent request took the same key or code between our check and our insert.
            # One more pass answers with the replay or with Sage's own message for the duplicate.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover

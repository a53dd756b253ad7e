"""DESIGN §8: vendor sync of 50,000 vendors — first run ≤ 5 s, unchanged re-run ≤ 1 s, 10 % changed ≤ 2 s,
each printed beside a raw COPY of the same rows (into a table with the staged records' columns and unique
index), timed in the same run.

The first run is a full pass. The re-runs are what the every-minute schedule does: read the changes since
the last run (Sage's change stamp), write what changed. The full pass over unchanged data (what the daily
full sync costs) is printed as well.
"""

import datetime
import os
import time

import pytest
from django.db import connection
from django.utils import timezone

from apps.erp.models import StagedRecord, SyncRun
from apps.erp.sync import content_hash, sync_start
from apps.sage300.models import Vendor
from tests.bench.conftest import report

VENDORS = int(os.environ.get("BENCH_VENDORS", "50000"))
CHANGED = VENDORS // 10


def _vendor_rows(vendors):
    return [
        ("vendor", "", v.vendor, v.name, f'{{"vendor_id": "{v.vendor}", "name": "{v.name}", "city": "{v.city}"}}',
         content_hash({"vendor_id": v.vendor, "name": v.name}), "staged")
        for v in vendors
    ]


def raw_copy_seconds(rows) -> float:
    """COPY the rows, already in memory, into a table with the same columns and unique index as Ready to Import."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_copy")
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_copy (kind varchar(20), parent_origin_id varchar(50), origin_id varchar(50), "
            "name varchar(255), data jsonb, content_hash varchar(64), status varchar(10), "
            "created_at timestamptz default now(), updated_at timestamptz default now(), "
            "last_seen_at timestamptz default now())"
        )
        cursor.execute("CREATE UNIQUE INDEX ON bench_copy (kind, parent_origin_id, origin_id)")
        started = time.perf_counter()
        with cursor.cursor.copy(
            "COPY bench_copy (kind, parent_origin_id, origin_id, name, data, content_hash, status) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
        seconds = time.perf_counter() - started
        cursor.execute("DROP TABLE bench_copy")
    return seconds


def timed_sync(mode) -> tuple[float, SyncRun]:
    started = time.perf_counter()
    run = sync_start(dataset="vendors", trigger=SyncRun.Trigger.SCHEDULED, run_inline=True, mode=mode)
    return time.perf_counter() - started, run


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the targets are PostgreSQL's (a raw COPY to compare)")
def test_vendor_sync_first_run_unchanged_and_ten_percent_changed(db):
    # given: a Sage company whose 50,000 vendors were entered over the years (change stamps in the past)
    Vendor.objects.bulk_create(
        [Vendor(vendor=f"V{number:07d}", name=f"Vendor {number}", city="Dallas", state="TX", zip_code="75201",
                telephone="(214) 555-0100") for number in range(VENDORS)],
        batch_size=5000,
    )
    Vendor.objects.update(date_stamp=timezone.now() - datetime.timedelta(days=30))
    vendors = list(Vendor.objects.order_by("vendor"))

    # when: the first sync (a full pass) …
    first_copy = raw_copy_seconds(_vendor_rows(vendors))
    first_seconds, first = timed_sync(SyncRun.Mode.FULL)
    # … the next tick of the schedule, with nothing changed in Sage …
    quiet_seconds, quiet = timed_sync(SyncRun.Mode.INCREMENTAL)
    # … the daily full pass over the same unchanged vendors …
    full_again_seconds, full_again = timed_sync(SyncRun.Mode.FULL)
    # … and a tick after 10 % of the vendors changed in Sage
    changed = vendors[::10][:CHANGED]
    now = timezone.now()
    for vendor in changed:
        vendor.city, vendor.date_stamp = "Plano", now
    Vendor.objects.bulk_update(changed, ["city", "date_stamp"], batch_size=5000)
    changed_copy = raw_copy_seconds(_vendor_rows(changed))
    changed_seconds, changed_run = timed_sync(SyncRun.Mode.INCREMENTAL)

    # then
    assert (first.status, first.mode, first.created) == ("succeeded", "full", VENDORS)
    assert (quiet.mode, quiet.records_seen, quiet.created, quiet.updated) == ("incremental", 0, 0, 0)
    assert (full_again.records_seen, full_again.unchanged) == (VENDORS, VENDORS)
    assert (changed_run.mode, changed_run.records_seen, changed_run.updated) == ("incremental", CHANGED, CHANGED)
    assert StagedRecord.objects.filter(kind="vendor").count() == VENDORS
    assert StagedRecord.objects.filter(kind="vendor", data__city="Plano").count() == CHANGED
    report(f"vendor sync, {VENDORS:,} vendors, first run", first_seconds, 5, copy_seconds=first_copy)
    report(f"vendor sync, {VENDORS:,} vendors, unchanged re-run", quiet_seconds, 1, copy_seconds=first_copy)
    report(f"vendor sync, {VENDORS:,} vendors, 10 % changed", changed_seconds, 2, copy_seconds=changed_copy)
    report(f"vendor sync, {VENDORS:,} vendors, unchanged full pass (daily)", full_again_seconds, None,
           copy_seconds=first_copy)

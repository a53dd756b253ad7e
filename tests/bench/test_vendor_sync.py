"""DESIGN §8: vendor sync of 50,000 vendors — first run ≤ 10 s, unchanged re-run ≤ 2 s."""

import os
import time

from apps.erp.models import StagedRecord, SyncRun
from apps.erp.sync import sync_start
from apps.sage300.models import Vendor
from tests.bench.conftest import RESULTS

VENDORS = int(os.environ.get("BENCH_VENDORS", "50000"))


def _report(name: str, seconds: float, target: float) -> None:
    RESULTS.append(f"{name:<48} {seconds:>12.2f} s {target:>10.1f} s  {'ok' if seconds <= target else 'MISSED'}")


def test_vendor_sync_first_run_and_unchanged_rerun(db):
    Vendor.objects.bulk_create(
        [
            Vendor(vendor=f"V{number:07d}", name=f"Vendor {number}", city="Dallas", state="TX", zip_code="75201",
                   telephone="(214) 555-0100")
            for number in range(VENDORS)
        ],
        batch_size=5000,
    )

    started = time.perf_counter()
    first = sync_start(dataset="vendors", trigger=SyncRun.Trigger.COMMAND, run_inline=True)
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = sync_start(dataset="vendors", trigger=SyncRun.Trigger.COMMAND, run_inline=True)
    again_seconds = time.perf_counter() - started

    assert (first.status, first.created) == ("succeeded", VENDORS)
    assert (again.created, again.updated, again.unchanged) == (0, 0, VENDORS)
    assert StagedRecord.objects.filter(kind="vendor").count() == VENDORS
    _report(f"vendor sync, {VENDORS:,} vendors, first run", first_seconds, 10)
    _report(f"vendor sync, {VENDORS:,} vendors, unchanged re-run", again_seconds, 2)

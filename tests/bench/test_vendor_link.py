"""Linking a Sage vendor at 100,000 companies: the Ready to Import page of 50 vendors (its suggestions read
for the whole page at once) and the row's search over every unlinked company."""

import os
import time

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from apps.access.models import Level
from apps.companies.models import Company
from apps.erp.models import ErpSettings, StagedRecord
from apps.erp.sync import content_hash
from tests.access.helpers import make_user
from tests.bench.conftest import report

COMPANIES = int(os.environ.get("BENCH_COMPANIES", "100000"))
WORDS = ("Concrete", "Electric", "Plumbing", "Steel", "Drywall", "Roofing", "Paving", "Glass", "Masonry", "HVAC")


def median_of_three(call) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return sorted(times)[1]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the figure that matters is PostgreSQL's")
def test_vendor_link_page_and_search_at_100k_companies(client):
    now = timezone.now()
    Company.objects.bulk_create(
        [Company(name=f"Firm{n:06} {WORDS[n % len(WORDS)]}", city="Dallas", created_at=now, updated_at=now)
         for n in range(COMPANIES)],
        batch_size=5000,
    )
    StagedRecord.objects.bulk_create([
        StagedRecord(kind="vendor", parent_origin_id="", origin_id=f"V{n:03}", name=f"Firm{n * 997:06} {WORDS[n % 10]} Inc",
                     data={"vendor_id": f"V{n:03}"}, content_hash=content_hash({"n": n}), last_seen_at=now,
                     status=StagedRecord.Status.STAGED, created_at=now, updated_at=now)
        for n in range(50)
    ])
    ErpSettings.objects.create(connected_at=now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    client.force_login(make_user(erp=Level.ADMIN, directory=Level.ADMIN))
    url = reverse("erp-integrations")

    page = median_of_three(lambda: client.get(url, {"tab": "vendors", "view": "ready_to_import"}))
    search = median_of_three(lambda: client.get(reverse("erp-import-targets"),
                                              {"tab": "vendors", "action": "link", "q": "firm0421"}))

    body = client.get(url, {"tab": "vendors", "view": "ready_to_import"}).content.decode()
    assert "same name" in body
    report(f"Ready to Import, 50 vendors, {COMPANIES:,} companies (page)", page, 1.0)
    report(f"link search over {COMPANIES:,} companies (one request)", search, 0.3)

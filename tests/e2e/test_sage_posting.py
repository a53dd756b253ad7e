"""The accountant at the Sage desk posts the JC batch a budget export filled (R68), in a real browser: the
batch's page, "Post batch", the posted totals on the category, and Sage's refusal when the job has closed.
Screenshots of the steps are saved in ``var/screenshots/``."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.access.models import Level
from apps.sage300 import services as sage
from apps.sage300.faults import at_sage_desktop
from apps.sage300.models import BatchStatus, Category, JCBatch, TransactionType
from apps.sage300.services import JcEntry
from tests.access.helpers import make_user
from tests.e2e.conftest import CHROMIUM_MISSING, chromium_available

pytestmark = [
    pytest.mark.django_db(transaction=True, databases=["default", "sage"]),
    pytest.mark.skipif(not chromium_available(), reason=CHROMIUM_MISSING),
]

expect = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed").expect


@pytest.fixture
def exported_budget(sage_company) -> JCBatch:
    """What a budget export with forecast amounts leaves in Sage: entries in the unposted batch."""
    day = datetime.date(2026, 3, 14)
    sage.jc_entries_add(job="24-101", reference="budget-12:original", transaction_date=day, entries=[
        JcEntry(TransactionType.ORIGINAL_ESTIMATE, "01-100", "L", "48000.00", description="Original budget"),
        JcEntry(TransactionType.ORIGINAL_ESTIMATE, "01-990", "S", "15000.00", description="Original budget"),
    ])
    sage.jc_entries_add(job="24-101", reference="budget-12:forecast", transaction_date=day, entries=[
        JcEntry(TransactionType.MISC_WORKSHEET_1, "01-100", "L", "50000.00", description="Estimated Cost at Complete",
                action="Replace"),
        JcEntry(TransactionType.MISC_WORKSHEET_2, "01-100", "L", "30000.00", description="Forecast to Complete",
                action="Replace"),
    ])
    return JCBatch.objects.get(status=BatchStatus.UNPOSTED)


@pytest.fixture
def accountant():
    return make_user(username="accountant", erp=Level.ADMIN, company_admin=Level.ADMIN)


def test_the_accountant_posts_the_batch_and_the_category_shows_the_estimate(page, log_in, screenshot, accountant,
                                                                            exported_budget):
    log_in(accountant)
    page.goto(reverse("admin:sage300_jctransaction_changelist") + "?posted__exact=0")
    expect(page.locator("#result_list tbody tr")).to_have_count(4)
    screenshot("1-unposted-entries")

    page.goto(reverse("admin:sage300_jcbatch_change", args=[exported_budget.pk]))
    expect(page.get_by_text("posts none and says why")).to_be_visible()
    screenshot("2-unposted-batch")
    page.get_by_role("button", name="Post batch").click()

    expect(page.locator("ul.messagelist li.success")).to_contain_text(
        f"Batch {exported_budget.batch}: 4 entries posted")
    expect(page.get_by_role("button", name="Post batch")).to_have_count(0)
    screenshot("3-posted")
    labor = Category.objects.get(cost_code__job_id="24-101", cost_code__cost_code="01-100", category="L")
    assert (labor.original_estimate, labor.total_estimate, labor.msc_cat_amt_1, labor.msc_cat_amt_2) == (
        Decimal("48000.00"), Decimal("48000.00"), Decimal("50000.00"), Decimal("30000.00"))

    page.goto(reverse("admin:sage300_category_change", args=[labor.pk]))
    expect(page.get_by_text("Msc cat amt 1")).to_be_visible()
    screenshot("4-category-estimate")


def test_posting_a_batch_of_a_closed_job_shows_sages_refusal(page, log_in, screenshot, accountant, exported_budget):
    with at_sage_desktop():
        sage.job_close(job="24-101")
    log_in(accountant)

    page.goto(reverse("admin:sage300_jcbatch_change", args=[exported_budget.pk]))
    page.get_by_role("button", name="Post batch").click()

    expect(page.locator("ul.messagelist li.error")).to_contain_text("was not posted; nothing in it changed.")
    expect(page.locator("ul.messagelist li.error")).to_contain_text("Job has been closed.")
    screenshot("1-refused")
    assert JCBatch.objects.get(pk=exported_budget.pk).status == BatchStatus.UNPOSTED

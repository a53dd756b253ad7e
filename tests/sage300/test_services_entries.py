"""JC entries, the unposted batch and posting: the estimate side of the embedded Sage (R65, R68, R74–R76, R81)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from apps.sage300 import services
from apps.sage300.company import get_company
from apps.sage300.errors import SageError
from apps.sage300.faults import at_sage_desktop, injected_faults
from apps.sage300.models import BatchStatus, Category, JCBatch, JCTransaction, TransactionType, WorksheetAction
from apps.sage300.services import JcEntry
from tests.sage300.helpers import refused, sage_state

DAY = datetime.date(2026, 3, 14)
ORIGINAL = TransactionType.ORIGINAL_ESTIMATE
CHANGE = TransactionType.APPROVED_ESTIMATE_CHANGE
MW1, MW2 = TransactionType.MISC_WORKSHEET_1, TransactionType.MISC_WORKSHEET_2


def category(cost_code: str, code: str) -> Category:
    return Category.objects.get(cost_code__job_id="24-101", cost_code__cost_code=cost_code, category=code)


def add(entries, *, reference="ref-1", day=DAY, accounting_date=None, job="24-101"):
    return services.jc_entries_add(job=job, entries=entries, reference=reference, transaction_date=day,
                                   accounting_date=accounting_date)


def post():
    with at_sage_desktop():
        return services.jc_batch_post()


def totals(cost_code: str, code: str) -> tuple:
    found = category(cost_code, code)
    return (found.original_estimate, found.approved_estimate_changes, found.total_estimate, found.msc_cat_amt_1,
            found.msc_cat_amt_2)


# --- entering ----------------------------------------------------------------------------------------------


def test_entries_wait_in_the_unposted_batch_and_change_no_total(job):
    # given
    before = totals("01-100", "L")

    # when
    added = add([JcEntry(CHANGE, "01-100", "L", "250.10"), JcEntry(CHANGE, "03-300", "S", "-250.10")])

    # then
    assert added.batch.status == BatchStatus.UNPOSTED
    rows = list(JCTransaction.objects.order_by("row_id"))
    assert [(r.transaction_type, r.cost_code, r.category, r.amount, r.posted, r.ref_1, r.batch_id) for r in rows] == [
        (CHANGE, "01-100", "L", Decimal("250.10"), False, "ref-1", added.batch.batch),
        (CHANGE, "03-300", "S", Decimal("-250.10"), False, "ref-1", added.batch.batch),
    ]
    assert rows[0].row_id < rows[1].row_id
    assert (rows[0].transaction_date, rows[0].accounting_date) == (DAY, DAY)
    assert totals("01-100", "L") == before


def test_every_write_goes_to_the_one_unposted_batch_until_it_is_posted(job):
    # when
    first = add([JcEntry(CHANGE, "01-100", "L", "1")], reference="a")
    second = add([JcEntry(CHANGE, "01-100", "L", "2")], reference="b")
    post()
    third = add([JcEntry(CHANGE, "01-100", "L", "3")], reference="c")

    # then
    assert first.batch.batch == second.batch.batch
    assert third.batch.batch == first.batch.batch + 1
    assert JCBatch.objects.filter(status=BatchStatus.UNPOSTED).count() == 1


@pytest.mark.parametrize(
    ("entries", "kwargs", "code"),
    [
        ([JcEntry(CHANGE, "01-100", "E", "1")], {}, "not_in_where_clause"),  # category not on the job
        ([JcEntry(CHANGE, "09-900", "L", "1")], {}, "not_in_where_clause"),  # cost code not on the job
        ([JcEntry(CHANGE, "01-100", "L", "1", extra="Z")], {}, "not_in_where_clause"),  # no such extra
        ([JcEntry(CHANGE, "01-100", "L", "1.005")], {}, "invalid_value"),  # more decimals than 9.2
        ([JcEntry(CHANGE, "01-100", "L", "1000000000")], {}, "invalid_value"),  # more digits than 9.2
        ([JcEntry(CHANGE, "01-100", "L", "1", description="D" * 31)], {}, "too_long"),
        ([JcEntry(TransactionType.AP_COST, "01-100", "L", "1")], {}, "transaction_type_not_allowed"),
        ([JcEntry(CHANGE, "01-100", "L", "1", action=WorksheetAction.REPLACE)], {}, "invalid_value"),
        ([], {}, "blank"),
        ([JcEntry(CHANGE, "01-100", "L", "1")], {"job": "99-999"}, "not_in_where_clause"),
        ([JcEntry(CHANGE, "01-100", "L", "1")], {"reference": "R" * 61}, "too_long"),
    ],
)
def test_a_refused_entry_adds_nothing(job, entries, kwargs, code):
    # when
    error = refused(add, entries=[JcEntry(CHANGE, "03-300", "M", "5"), *entries], **kwargs) if entries else refused(
        add, entries=entries, **kwargs)

    # then
    assert error.code == code


def test_entries_on_a_closed_job_are_refused_job_closed(job):
    # given
    with at_sage_desktop():
        services.job_close(job="24-101")

    # when
    error = refused(add, entries=[JcEntry(CHANGE, "01-100", "L", "1")])

    # then
    assert (error.code, error.message) == ("job_closed", "Job has been closed.")


def test_entries_dated_in_a_closed_gl_period_are_refused_with_sages_words(job):
    # given
    services.gl_periods_ensure(fiscal_year=2026)
    services.gl_period_close(fiscal_year=2026, period=3)

    # when
    error = refused(add, entries=[JcEntry(CHANGE, "01-100", "L", "1")])

    # then R205: Sage's wording, with its two spaces and its MM\DD\YYYY date
    assert error.message == "GL period closed.  Entry not allowed. (03\\14\\2026)."


def test_a_reference_already_on_the_job_is_refused_so_a_retry_never_adds_twice(job):
    # given
    add([JcEntry(CHANGE, "01-100", "L", "1")], reference="budget-1:change-3")

    # when
    error = refused(add, entries=[JcEntry(CHANGE, "01-100", "L", "1")], reference="budget-1:change-3")

    # then
    assert error.code == "reference_exists"
    assert JCTransaction.objects.count() == 1


def test_a_timeout_before_writing_adds_nothing(job):
    # given
    get_company()  # the company row (the fault dials) is not a change the timeout made
    before = sage_state()

    # when
    with injected_faults(failure_rate=1, after_commit_share=0), pytest.raises(SageError) as error:
        add([JcEntry(CHANGE, "01-100", "L", "1")])

    # then
    assert error.value.code == "import_timeout"
    assert sage_state() == before


def test_a_timeout_after_the_write_leaves_the_entries_in_the_batch(job):
    # when
    with injected_faults(failure_rate=1, after_commit_share=1), pytest.raises(SageError):
        add([JcEntry(CHANGE, "01-100", "L", "1")], reference="lost")

    # then
    assert list(JCTransaction.objects.values_list("ref_1", flat=True)) == ["lost"]


# --- posting -------------------------------------------------------------------------------------------------


def test_posting_applies_each_entry_to_its_category_to_the_cent(job):
    # given the job's imported estimates: 01-100 L 12,000.00; 03-300 S 40,000.00
    add([
        JcEntry(ORIGINAL, "03-300", "M", "1234.56", units="10"),
        JcEntry(CHANGE, "01-100", "L", "0.01"),
        JcEntry(CHANGE, "01-100", "L", "999.99"),
        JcEntry(CHANGE, "03-300", "S", "-1000.00"),
        JcEntry(MW1, "03-300", "S", "41000.00", action=WorksheetAction.REPLACE),
        JcEntry(MW2, "03-300", "S", "15000.25", action=WorksheetAction.REPLACE),
    ])

    # when
    posted = post()

    # then
    assert totals("03-300", "M") == (Decimal("6234.56"), Decimal("0"), Decimal("6234.56"), Decimal("0"), Decimal("0"))
    assert category("03-300", "M").original_estimate_units == Decimal("10")
    assert totals("01-100", "L") == (Decimal("12000.00"), Decimal("1000.00"), Decimal("13000.00"), 0, 0)
    assert totals("03-300", "S") == (Decimal("40000.00"), Decimal("-1000.00"), Decimal("39000.00"),
                                     Decimal("41000.00"), Decimal("15000.25"))
    assert posted.batch.status == BatchStatus.POSTED and posted.batch.posted_at is not None
    assert JCTransaction.objects.filter(posted=False).count() == 0
    assert posted.totals[CHANGE] == Decimal("0.00")
    assert posted.summary().startswith("6 entries posted")


def test_misc_worksheet_replace_sets_the_amount_and_add_adds_to_it(job):
    # given
    add([JcEntry(MW1, "01-100", "L", "500.00", action=WorksheetAction.REPLACE)], reference="a")
    post()

    # when
    add([JcEntry(MW1, "01-100", "L", "700.00", action=WorksheetAction.REPLACE),
         JcEntry(MW2, "01-100", "L", "10.00"), JcEntry(MW2, "01-100", "L", "5.50")], reference="b")
    post()

    # then
    assert totals("01-100", "L")[3:] == (Decimal("700.00"), Decimal("15.50"))


def test_posting_with_nothing_unposted_is_refused(job):
    # when
    error = refused(post)

    # then
    assert (error.code, error.message) == ("no_entries", "There are no entries to post.")


def test_posting_a_batch_on_a_job_closed_since_entry_is_refused_and_posts_nothing(job):
    # given
    add([JcEntry(CHANGE, "03-300", "M", "10"), JcEntry(CHANGE, "01-100", "L", "20")])
    with at_sage_desktop():
        services.job_close(job="24-101")

    # when
    error = refused(post)

    # then
    assert error.code == "entry_not_postable"
    assert error.params["rule"] == "job_closed"
    assert error.message.endswith("Job has been closed.")
    assert "03-300 M" in error.message


def test_posting_an_entry_whose_category_left_the_job_is_refused_and_posts_nothing(job):
    # given
    add([JcEntry(CHANGE, "01-100", "L", "20"), JcEntry(CHANGE, "03-300", "M", "10")])
    with at_sage_desktop():
        services.job_category_delete(job="24-101", cost_code="03-300", category="M")

    # when
    error = refused(post)

    # then
    assert error.params["rule"] == "not_in_where_clause"
    assert "No entities could be found of type [Category] with given where clause." in error.message
    assert category("01-100", "L").approved_estimate_changes == 0


def test_posting_an_entry_dated_in_a_period_closed_since_entry_is_refused_and_posts_nothing(job):
    # given
    add([JcEntry(CHANGE, "01-100", "L", "20")])
    services.gl_periods_ensure(fiscal_year=2026)
    services.gl_period_close(fiscal_year=2026, period=3)

    # when
    error = refused(post)

    # then
    assert error.params["rule"] == "gl_period_closed"
    assert error.message.endswith("GL period closed.  Entry not allowed. (03\\14\\2026).")


def test_posting_is_one_request_exposed_to_faults_that_leave_nothing_posted(job):
    # given
    add([JcEntry(CHANGE, "01-100", "L", "20")])
    get_company()
    before = sage_state()

    # when
    with injected_faults(failure_rate=1, after_commit_share=0), pytest.raises(SageError):
        services.jc_batch_post()

    # then
    assert sage_state() == before


def test_the_total_estimate_cannot_drift_from_its_parts(job):
    # given
    from django.db import IntegrityError, transaction

    # when / then: the database itself refuses a total that is not original + approved changes
    with pytest.raises(IntegrityError), transaction.atomic(using="sage"):
        Category.objects.filter(pk=category("01-100", "L").pk).update(total_estimate=Decimal("1.00"))


def _queries(call) -> int:
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connections["sage"]) as captured:
        call()
    return len(captured.captured_queries)


def test_entering_and_posting_cost_the_same_queries_for_2_entries_as_for_40(job):
    # given
    def entries(count):
        return [JcEntry(CHANGE, "01-100" if n % 2 else "03-300", "L" if n % 2 else "S", "1.00") for n in range(count)]

    add(entries(1), reference="warm-up")  # the first request of a process also sets up the company's dials
    post()

    # when
    few = _queries(lambda: add(entries(2), reference="few"))
    post_few = _queries(post)
    many = _queries(lambda: add(entries(40), reference="many"))
    post_many = _queries(post)

    # then
    assert (few, post_few) == (many, post_many)
    assert category("01-100", "L").approved_estimate_changes + category("03-300", "S").approved_estimate_changes == (
        Decimal("43.00"))

"""The Sage desk's JC entries and batches: the list's filters, and "Post batch" (R68: posting is the accountant's)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from apps.sage300 import services
from apps.sage300.faults import at_sage_desktop
from apps.sage300.models import BatchStatus, Category, JCBatch, JCTransaction, TransactionType
from apps.sage300.services import JcEntry
from tests.sage300.helpers import sage_state
from tests.sage300.test_admin import messages_of, run_action

DAY = datetime.date(2026, 3, 14)


@pytest.fixture
def unposted(job) -> JCBatch:
    services.jc_entries_add(job="24-101", reference="budget-7:original", transaction_date=DAY, entries=[
        JcEntry(TransactionType.ORIGINAL_ESTIMATE, "03-300", "M", "1500.00"),
        JcEntry(TransactionType.APPROVED_ESTIMATE_CHANGE, "01-100", "L", "250.25"),
    ])
    return JCBatch.objects.get(status=BatchStatus.UNPOSTED)


def labor() -> Category:
    return Category.objects.get(cost_code__job_id="24-101", cost_code__cost_code="01-100", category="L")


def test_the_unposted_batch_page_offers_post_batch_and_says_what_posting_does(admin_client, unposted):
    # when
    response = admin_client.get(reverse("admin:sage300_jcbatch_change", args=[unposted.pk]))

    # then
    page = response.content.decode()
    assert response.status_code == 200
    assert 'value="Post batch"' in page
    assert "posts none and says why" in page
    assert "2 entries" in page


def test_post_batch_posts_every_entry_and_reports_what_it_posted(admin_client, unposted):
    # when
    response = admin_client.post(reverse("admin:sage300_jcbatch_post", args=[unposted.pk]), follow=True)

    # then
    unposted.refresh_from_db()
    assert unposted.status == BatchStatus.POSTED
    assert (labor().approved_estimate_changes, labor().total_estimate) == (Decimal("250.25"), Decimal("12250.25"))
    [message] = messages_of(response)
    assert message.startswith(f"Batch {unposted.batch}: 2 entries posted (")
    assert "Approved estimate change 250.25" in message and "Original estimate 1,500.00" in message
    assert 'value="Post batch"' not in response.content.decode()  # a posted batch has nothing left to post


def test_post_batch_refused_by_sage_shows_why_and_posts_nothing(admin_client, unposted):
    # given: the job closed after its entries were imported
    with at_sage_desktop():
        services.job_close(job="24-101")
    before = sage_state()

    # when
    response = admin_client.post(reverse("admin:sage300_jcbatch_post", args=[unposted.pk]), follow=True)

    # then
    [message] = messages_of(response)
    assert message.startswith(f"Batch {unposted.batch} was not posted; nothing in it changed. Sage says: Entry ")
    assert message.endswith("Job has been closed.")
    assert sage_state() == before


def test_post_batch_answers_only_a_post(admin_client, unposted):
    # when
    response = admin_client.get(reverse("admin:sage300_jcbatch_post", args=[unposted.pk]))

    # then
    assert response.status_code == 405
    assert JCTransaction.objects.filter(posted=True).count() == 0


def test_post_batch_is_for_the_sage_desk_only(client, django_user_model, unposted):
    # given: a staff user without Admin on the Company Admin tool
    user = django_user_model.objects.create_user("pm", password="pw", is_staff=True)
    client.force_login(user)

    # when
    response = client.post(reverse("admin:sage300_jcbatch_post", args=[unposted.pk]))

    # then
    assert response.status_code == 403
    assert JCTransaction.objects.filter(posted=True).count() == 0


def test_the_post_action_posts_the_selected_unposted_batch(admin_client, unposted):
    # when
    response = run_action(admin_client, JCBatch, "post_batches", [unposted])

    # then
    assert JCBatch.objects.get(pk=unposted.pk).status == BatchStatus.POSTED
    assert any("2 entries posted" in message for message in messages_of(response))


@pytest.mark.parametrize(("params", "expected"), [
    ({"posted__exact": "0"}, ["01-100", "03-300"]),
    ({"posted__exact": "1"}, []),
    ({"transaction_type__exact": TransactionType.ORIGINAL_ESTIMATE}, ["03-300"]),
    ({"job__job__exact": "24-101"}, ["01-100", "03-300"]),
    ({"q": "budget-7"}, ["01-100", "03-300"]),
])
def test_the_entries_list_filters_by_posted_type_job_batch_and_reference(admin_client, unposted, params, expected):
    # when
    response = admin_client.get(reverse("admin:sage300_jctransaction_changelist"), params)

    # then
    assert response.status_code == 200
    assert sorted(row.cost_code for row in response.context["cl"].result_list) == expected


def test_the_entries_list_filters_by_batch(admin_client, unposted):
    # given
    with at_sage_desktop():
        services.jc_batch_post()
    services.jc_entries_add(job="24-101", reference="later", transaction_date=DAY,
                            entries=[JcEntry(TransactionType.APPROVED_ESTIMATE_CHANGE, "03-300", "S", "5")])

    # when
    response = admin_client.get(reverse("admin:sage300_jctransaction_changelist"),
                                {"batch__batch__exact": str(unposted.batch)})

    # then
    assert sorted(row.ref_1 for row in response.context["cl"].result_list) == ["budget-7:original"] * 2


def test_a_category_page_shows_its_estimate_columns(admin_client, unposted):
    # given
    with at_sage_desktop():
        services.jc_batch_post()

    # when
    response = admin_client.get(reverse("admin:sage300_category_change", args=[labor().pk]))

    # then
    page = response.content.decode()
    for label in ("Original estimate", "Approved estimate changes", "Total estimate", "Msc cat amt 1", "Msc cat amt 2"):
        assert label in page
    assert "12250.25" in page or "12,250.25" in page

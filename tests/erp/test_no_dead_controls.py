"""Sync schedules: no Add once every dataset has its schedule (issue 8: a control that always refused)."""

from django.urls import reverse

from apps.erp.models import SyncSchedule
from apps.erp.registry import dataset_choices

CHANGELIST = reverse("admin:erp_syncschedule_changelist")
ADD = reverse("admin:erp_syncschedule_add")


def test_add_offers_only_datasets_without_a_schedule_and_disappears_when_none_is_left(admin_client):
    SyncSchedule.objects.all().delete()
    keys = [key for key, _ in dataset_choices()]
    for key in keys[1:]:
        SyncSchedule.objects.create(dataset=key)

    form = admin_client.get(ADD)
    offered = [value for value, _ in form.context["adminform"].form.fields["dataset"].choices]
    SyncSchedule.objects.create(dataset=keys[0])
    listing = admin_client.get(CHANGELIST).content.decode()

    assert offered == [keys[0]]
    assert ADD not in listing
    assert admin_client.get(ADD).status_code == 403


def test_a_schedule_is_still_changed_on_its_page(admin_client):
    schedule = SyncSchedule.objects.first() or SyncSchedule.objects.create(dataset=dataset_choices()[0][0])

    response = admin_client.post(
        reverse("admin:erp_syncschedule_change", args=[schedule.pk]),
        {"enabled": "on", "every_minutes": "7", "full_every_minutes": "1440"},
    )

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    schedule.refresh_from_db()
    assert schedule.every_minutes == 7

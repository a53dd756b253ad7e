"""The export soak in the scale-out shape (run by ``bin/scaleout-soak``, which starts the processes).

Two gunicorn web servers, two django-q2 clusters, one PostgreSQL, one Redis broker: this driver creates
projects (with cost codes) and companies, sends and accepts every one through the web servers' API
(alternating between them), SIGKILLs one whole worker cluster once its workers are writing exports, and
waits until every item is synced. It then checks Sage holds each record exactly once; ``erp_reconcile``
is run by the script afterwards.

    python tests/deploy/scaleout_driver.py setup
    python tests/deploy/scaleout_driver.py run --web URL --web URL --kill-cluster PID
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import signal
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

from apps.access.models import Level  # noqa: E402
from apps.companies.models import Company  # noqa: E402
from apps.companies.services import company_create  # noqa: E402
from apps.erp.models import ErpSettings, ExportAttempt, ExportTry  # noqa: E402
from apps.projects.models import Project  # noqa: E402
from apps.projects.services import project_create  # noqa: E402
from apps.sage300 import services as sage  # noqa: E402
from apps.sage300.faults import at_sage_desktop  # noqa: E402
from apps.sage300.models import Job, Vendor  # noqa: E402
from apps.wbs.models import CostType, StandardCostCode  # noqa: E402
from apps.wbs.services import project_cost_code_add_from_standard  # noqa: E402

PROJECTS = int(os.environ.get("SOAK_PROJECTS", "120"))
COMPANIES = int(os.environ.get("SOAK_COMPANIES", "80"))
DEADLINE = float(os.environ.get("SOAK_DEADLINE", "300"))


def say(message: str) -> None:
    print(f"[{datetime.datetime.now():%H:%M:%S}] {message}", flush=True)


def setup() -> None:
    from apps.erp.sync import sync_start
    from apps.wbs.erp import COST_CODES
    from tests.access.helpers import join, make_user

    ErpSettings.objects.update_or_create(pk=1, defaults={"connected_at": timezone.now() - datetime.timedelta(days=1)})
    with at_sage_desktop():
        for code, description in (("L", "Labor"), ("M", "Material")):
            sage.standard_category_create(category=code, description=description, accumulate_as=description)
        for number in range(3):
            sage.standard_cost_code_create(cost_code=f"{number + 1:02d}-100", description=f"Division {number + 1}")
    sync_start(dataset=COST_CODES, trigger="command", run_inline=True)
    approver = make_user(username="soak-approver", erp=Level.ADMIN, can_push=True, directory=Level.ADMIN,
                         company_admin=Level.ADMIN, can_create_new_project=True)
    Token.objects.get_or_create(user=approver)
    cost_types = list(CostType.objects.all())
    standards = list(StandardCostCode.objects.order_by("code"))
    for number in range(PROJECTS):
        project = project_create(number=f"S{number:05d}", name=f"Soak Project {number}", city="Dallas", state="TX")
        for standard in standards:
            project_cost_code_add_from_standard(project=project, standard_cost_code=standard, cost_types=cost_types)
        join(approver, project, project_admin=3)  # the project manager's send reaches only their own projects
    for number in range(COMPANIES):
        company_create(name=f"Soak Supply {number:05d}", city="Plano", state="TX")
    say(f"set up {PROJECTS} projects and {COMPANIES} companies")


class Api:
    def __init__(self, webs: list[str], token: str):
        self.webs, self.token, self.calls = webs, token, 0

    def post(self, path: str, payload: dict) -> dict:
        """POST to the next web server in turn; a 503 (Sage did not answer) is pressed again."""
        for _ in range(20):
            base = self.webs[self.calls % len(self.webs)]
            self.calls += 1
            request = urllib.request.Request(
                base + path, data=json.dumps(payload).encode(), method="POST",
                headers={"Content-Type": "application/json", "Authorization": f"Token {self.token}"},
            )
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    return json.loads(response.read() or b"{}")
            except urllib.error.HTTPError as error:
                body = error.read().decode(errors="replace")
                if error.code == 503:
                    time.sleep(0.5)
                    continue
                raise AssertionError(f"POST {base}{path} answered {error.code}: {body[:500]}") from None
        raise AssertionError(f"POST {path}: Sage did not answer twenty times")


def cluster_pids(leader: int) -> set[int]:
    sys.path.insert(0, str(ROOT))
    from tests.deploy.helpers import descendants

    return descendants(leader) | {leader}


def run(webs: list[str], kill_cluster: int) -> None:
    token = Token.objects.get(user__username="soak-approver").key
    api = Api(webs, token)
    projects = list(Project.objects.order_by("pk"))
    companies = list(Company.objects.order_by("pk"))
    items = [("projects", p.pk, p.number) for p in projects] + [
        ("companies", c.pk, f"V{c.pk:07d}"[-10:]) for c in companies]
    started = time.monotonic()
    for kind, pk, _ in items:
        api.post(f"/api/v1/{kind}/{pk}/erp/send/", {})
    say(f"sent {len(items)} items through {len(webs)} web servers in {time.monotonic() - started:.1f} s")

    victims = cluster_pids(kill_cluster)
    killed_at = None

    def holding() -> int:
        """Exports the victim cluster's workers are writing right now (a running attempt under their lease)."""
        owners = ExportAttempt.objects.filter(status="running").values_list("lease_owner", flat=True)
        return sum(1 for owner in owners if owner and int(owner.split(":")[1]) in victims)

    for index, (kind, pk, erp_id) in enumerate(items):
        api.post(f"/api/v1/{kind}/{pk}/erp/accept/", {"erp_id": erp_id})
        if killed_at is None and index >= len(items) // 4:
            held = holding()
            if held or index >= 2 * len(items) // 3:
                os.killpg(kill_cluster, signal.SIGKILL)
                killed_at = index
                say(f"SIGKILLed worker cluster {kill_cluster} ({len(victims)} processes) after {index + 1} accepts, "
                    f"while it was writing {held} exports")
    say(f"accepted {len(items)} items in {time.monotonic() - started:.1f} s")
    if killed_at is None:  # it never got work while we accepted: kill it now, the test is the kill
        os.killpg(kill_cluster, signal.SIGKILL)
        say(f"SIGKILLed worker cluster {kill_cluster} after the accepts (it had written no try)")

    deadline = time.monotonic() + DEADLINE
    while ExportAttempt.objects.filter(status__in=["queued", "running"]).exists():
        if time.monotonic() > deadline:
            states = dict(ExportAttempt.objects.values_list("status").annotate(n=Count("pk")))
            raise AssertionError(f"exports not finished in {DEADLINE:.0f} s: {states}")
        time.sleep(1)
    say(f"every export finished, {time.monotonic() - started:.1f} s after the first send")

    # every item is synced, and Sage holds each exactly once
    project_states = dict(Project.objects.values_list("erp_status").annotate(n=Count("pk")))
    company_states = dict(Company.objects.values_list("erp_status").annotate(n=Count("pk")))
    assert project_states == {"synced": len(projects)}, project_states
    assert company_states == {"synced": len(companies)}, company_states
    jobs = Job.objects.filter(job__startswith="S").values("job").annotate(n=Count("pk"))
    vendors = Vendor.objects.filter(vendor__startswith="V").values("vendor").annotate(n=Count("pk"))
    assert len(jobs) == len(projects) and all(row["n"] == 1 for row in jobs), "a job is missing or twice in Sage"
    assert len(vendors) == len(companies) and all(row["n"] == 1 for row in vendors), "a vendor is missing or twice"
    workers = {w.rsplit(":", 1)[0] for w in ExportTry.objects.values_list("worker", flat=True)}
    taken_over = ExportTry.objects.filter(error_message__icontains="lease ran out").count()
    say(f"OK: {len(projects)} jobs and {len(companies)} vendors in Sage exactly once; tries by {len(workers)} "
        f"worker processes; {taken_over} tries of the killed cluster handed on")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("step", choices=["setup", "run"])
    parser.add_argument("--web", action="append", default=[])
    parser.add_argument("--kill-cluster", type=int)
    args = parser.parse_args()
    if args.step == "setup":
        setup()
    else:
        run(args.web, args.kill_cluster)

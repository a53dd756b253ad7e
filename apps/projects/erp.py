"""Projects and sub jobs on the ERP side: Job Setup and Sub Job Setup (seed workflows 1 and 2).

A project is exported as a Sage job from three record types — job, cost codes, categories
(R44) — with the Sage Job ID the approver enters (R41). A sub job is exported as an extra of its
project's job, its SubJob ID pre-filled from the sub job's code (R49), and then, as a second step
of the same export, the cost codes and categories tied to it. Sage jobs and extras come the
other way through the Jobs and Sub Jobs datasets and wait in Ready to Import.
"""

from __future__ import annotations

from dataclasses import asdict
from django.db import transaction
from django.utils import timezone

from apps.access.checks import require
from apps.access.matrix import Action
from apps.core.exceptions import Conflict
from apps.erp.errors import ErpError
from apps.erp.item_types import ItemType
from apps.erp.lifecycle import ErpStatus
from apps.erp.models import StagedRecord
from apps.erp.reconcile import MISSING, Kind, ReconcileReport, get_all, label_of
from apps.erp.records import ExtraExport, JobCostCodesExport, JobExport, Page
from apps.erp.registry import (
    AcceptField,
    ChildLock,
    DatasetSpec,
    ErpDocument,
    ImportAction,
    ItemAction,
    ReconcileCheck,
    SendContext,
    SettingSpec,
    Step,
    register,
    register_dataset,
    register_reconcile,
    register_setting,
)
from apps.erp.services import erp_link, erp_option
from apps.erp.staging import staged_record_imported, staged_record_lock_waiting
from apps.erp.sync import PageOutcome, stage_records
from apps.projects.models import Project, SubJob
from apps.projects.services import project_create, project_delete, project_update, sub_job_create, sub_job_delete
from apps.projects.services import project_creator_joins_team, sub_job_update
from apps.wbs.erp import cost_code_records, cost_codes_mark_synced, project_cost_codes_refresh, project_cost_codes_sync
from apps.wbs.models import ProjectCostCode
from apps.wbs.services import cost_code_list_get_or_create_erp, project_cost_code_remove

JOBS, SUB_JOBS = "jobs", "sub-jobs"
JOB, EXTRA = "job", "extra"
SYNC_PAGE_SIZE = 2000
EXTRAS_AS_SUB_JOBS = register_setting(SettingSpec(
    "import_extras_as_sub_jobs", "Add Sage extras as sub jobs", default=True,
    help_text="Sage extras are imported into Trestle as sub jobs of their project.",
))


def job_known_closed(job_id: str) -> bool:
    """Whether the last Jobs sync saw the Sage job Closed (so Send can refuse before Sage does, R194)."""
    staged = StagedRecord.objects.filter(kind=JOB, parent_origin_id="", origin_id=job_id).only("data").first()
    return bool(staged and staged.data.get("is_closed"))


# --- Ready to Import: Sage jobs and extras ------------------------------------------------------




@transaction.atomic
def job_add_as_project(*, staged: StagedRecord, actor, target=None) -> Project:
    """Add an ERP job to Trestle as a new project, with its cost codes and extras (P#13)."""
    if actor is not None:
        require(actor, Action.ADD_ERP_JOB)
    staged = staged_record_lock_waiting(staged, JOB)
    job_id = staged.origin_id
    clash = Project.objects.filter(number=job_id).first() or Project.objects.filter(sage_job_id=job_id).first()
    if clash is not None:
        raise Conflict(
            f"Project {clash.number} already exists in Trestle. A job is created in one system and pushed to the "
            "other; jobs created in both cannot be linked. Archive this job, or rename the Trestle project.",
            code="job_created_on_both_sides",
        )
    data = staged.data
    project = project_create(
        number=job_id,
        name=data["name"],
        address=data.get("address", ""),
        city=data.get("city", ""),
        state=data.get("state", ""),
        zip=data.get("zip", ""),
        stage=Project.Stage.COURSE_OF_CONSTRUCTION if data.get("status") == "In Progress" else Project.Stage.PRE_CONSTRUCTION,
        cost_code_list=cost_code_list_get_or_create_erp(),
    )
    # The importer is the project's creator: they join its team with the creator template, so the project they
    # added is one they can open (without it nobody but a superuser could see it).
    project_creator_joins_team(project=project, user=actor)
    erp_link(item_type=ItemType.PROJECT, obj=project, erp_id=job_id, actor=actor, imported=True)
    staged_record_imported(staged, project.pk)
    project = Project.objects.get(pk=project.pk)
    if erp_option(EXTRAS_AS_SUB_JOBS.key):
        from apps.erp.connector import get_connector

        for extra in get_all(get_connector().extras, job_id=job_id):
            _sub_job_from_extra(project, extra.extra, extra.description, actor)
    project_cost_codes_sync(project=project)
    return project


def _sub_job_from_extra(project: Project, extra: str, description: str, actor) -> SubJob:
    sub_job = sub_job_create(project=project, code=extra, name=description or extra)
    erp_link(item_type=ItemType.SUB_JOB, obj=sub_job, erp_id=extra, actor=actor, imported=True)
    StagedRecord.objects.filter(kind=EXTRA, parent_origin_id=project.sage_job_id, origin_id=extra).update(
        status=StagedRecord.Status.IMPORTED, linked_object_id=sub_job.pk, updated_at=timezone.now()
    )
    return SubJob.objects.get(pk=sub_job.pk)


@transaction.atomic
def extra_import_as_sub_job(*, staged: StagedRecord, actor, target=None) -> SubJob:
    """Import an ERP extra into its synced project as a sub job (P#21)."""
    staged = StagedRecord.objects.select_for_update().get(pk=staged.pk)
    project = Project.objects.filter(sage_job_id=staged.parent_origin_id).first()
    if project is None:
        raise Conflict(
            f"Job {staged.parent_origin_id} is not synced with a Trestle project; add the job first.",
            code="job_not_synced",
        )
    if actor is not None:
        require(actor, Action.IMPORT_ERP_SUB_JOB, project=project)
    if not erp_option(EXTRAS_AS_SUB_JOBS.key):
        raise Conflict(
            "Adding Sage extras as sub jobs is switched off in the ERP settings (Add Sage extras as sub jobs).",
            code="extras_off",
        )
    staged = staged_record_lock_waiting(staged, EXTRA)
    if SubJob.objects.filter(project=project, code=staged.origin_id).exists():
        raise Conflict(
            f"Project {project.number} already has a sub job {staged.origin_id}; sub jobs are created in one system "
            "and pushed to the other.",
            code="sub_job_exists",
        )
    sub_job = _sub_job_from_extra(project, staged.origin_id, staged.name, actor)
    project_cost_codes_sync(project=project)
    return sub_job


def refresh_cost_codes_message(project: Project, counts) -> str:
    """What Refresh Cost Codes did, in a sentence (the admin's message; the API returns the counts)."""
    added = (f"{counts.cost_codes_added} cost code{'s' if counts.cost_codes_added != 1 else ''} and "
             f"{counts.cost_types_added} cost type{'s' if counts.cost_types_added != 1 else ''} added")
    if not counts.cost_codes_added and not counts.cost_types_added:
        added = "nothing new to add"
    message = f"Cost codes of project {project.number} refreshed from Sage 300 CRE job {project.sage_job_id}: {added}."
    if counts.skipped:
        shown = "; ".join(counts.skipped[:5])
        more = f" and {len(counts.skipped) - 5} more" if len(counts.skipped) > 5 else ""
        message += f" Not brought over: {shown}{more}."
    return message


def _refresh_cost_codes(*, obj: Project, actor) -> str:
    return refresh_cost_codes_message(obj, project_cost_codes_refresh(project=obj, actor=actor))


REFRESH_COST_CODES = ItemAction(
    "refresh-cost-codes", "Refresh Cost Codes", Action.REFRESH_PROJECT_COST_CODES, _refresh_cost_codes,
    available=lambda project: project.erp_status == ErpStatus.SYNCED and bool(project.sage_job_id),
    help_text="Bring the cost codes and categories added to this job in Sage 300 CRE onto the project.",
)


def _project_cost_code_locked(code: ProjectCostCode) -> bool:
    """A cost code is locked once Sage has it, and while its job is on its way to Sage."""
    return code.erp_synced_at is not None or code.project.erp_status != ErpStatus.SYNCED


@register
class ProjectDocument(ErpDocument):
    item_type = ItemType.PROJECT
    model = Project
    label = "project"
    erp_id_field = "sage_job_id"
    erp_id_label = "Sage Job ID"
    send_action = Action.ADD_PROJECT_TO_ERP
    accept_action = Action.ACCEPT_REJECT_PROJECT
    accept_fields = (
        AcceptField("sage_job_id", "Sage Job ID", default=lambda project: project.number, limit=(JobExport, "job_id"),
                    identifies=True),
    )
    field_limits = {
        "name": (JobExport, "name"), "address": (JobExport, "address"), "city": (JobExport, "city"),
        "state": (JobExport, "state"), "zip": (JobExport, "zip"),
    }
    locked_fields = ("number", "name", "address", "city", "state", "zip", "cost_code_list")
    locked_children = (
        ChildLock(
            model=ProjectCostCode, label="cost code",
            parent=lambda code: code.project if code.sub_job_id is None else None,
            locked=_project_cost_code_locked,
            delete=lambda code, actor=None: project_cost_code_remove(project_cost_code=code, actor=actor),
        ),
    )
    search_fields = ("number", "name", "sage_job_id")
    select_related = ("cost_code_list",)
    prefetch_related = ("cost_codes__cost_types__cost_type",)
    api_basename = "project"
    tab_key, tab_label, tab_order = "jobs", "Jobs", 10
    staged_kind = JOB
    dataset = JOBS
    import_actions = (ImportAction("add", "Add as new projects", Action.ADD_ERP_JOB, job_add_as_project),)
    item_actions = (REFRESH_COST_CODES,)
    archive_action = Action.ADD_ERP_JOB
    project_lookup = "pk"

    def project_of(self, obj: Project) -> Project:
        return obj

    def describe(self, obj: Project) -> str:
        return f"{obj.number} {obj.name}"

    def imported_note(self, obj: Project, actor) -> str:
        # Without a template marked for creators the importer joins no team, and only a superuser sees the project.
        if actor is None or actor.is_superuser or obj.memberships.filter(user=actor).exists():
            return ""
        return (
            f"You are not on the team of project {obj.number}, so you cannot open it yet: no project permission "
            "template is marked 'give this template to whoever creates a project'. Mark one under Permission "
            "templates (then whoever adds a project joins its team), or ask a company admin to add you to the team."
        )

    def prerequisites(self, obj: Project, context: SendContext) -> dict[str, str]:
        problems = {}
        if not obj.name.strip():
            problems["name"] = "Can't be blank. Give the project a name."
        connected_at = context.settings.connected_at
        if connected_at and obj.created_at < connected_at:
            problems["project"] = (
                f"Project {obj.number} was created before the Sage 300 CRE integration was connected "
                f"({timezone.localtime(connected_at):%Y-%m-%d}); projects that existed before cannot be synced. Create "
                "the job in Sage and add it to Trestle from ERP Integrations → Jobs instead."
            )
        if obj.cost_code_list_id and obj.cost_code_list.source != "erp":
            problems["cost_code_list"] = (
                f"Project {obj.number} uses the '{obj.cost_code_list}' cost code list; only projects on the Sage 300 "
                "CRE standard cost code list can be integrated with Sage."
            )
        return problems

    def steps(self, obj: Project, fields: dict[str, str]) -> list[Step]:
        job_id = fields["sage_job_id"]
        return [Step(JOB, JobExport(
            job_id=job_id, name=obj.name, address=obj.address, city=obj.city, state=obj.state, zip=obj.zip,
            cost_codes=cost_code_records(obj, sub_job=None, job_id=job_id),
        ))]

    def staged_details(self, staged) -> list[tuple[str, bool]]:
        data = staged.data
        details = [(f"{data.get('address', '')}, {data.get('city', '')} {data.get('state', '')} {data.get('zip', '')}"
                    .strip(" ,"), False), (data.get("status", ""), False)]
        if data.get("is_closed"):
            details.append(("Closed in Sage", True))
        return [detail for detail in details if detail[0]]

    def erp_record(self, obj: Project) -> JobExport:
        return JobExport(job_id=obj.sage_job_id or "", name=obj.name, address=obj.address, city=obj.city,
                         state=obj.state, zip=obj.zip)

    def apply_synced(self, obj: Project, fields, results) -> list[str]:
        obj.sage_job_id = results[JOB]["erp_id"]
        cost_codes_mark_synced(obj, sub_job=None)
        return ["sage_job_id"]

    def update(self, obj, data, *, actor=None):
        return project_update(project=obj, data=data, actor=actor)

    def delete(self, obj, *, actor=None) -> None:
        project_delete(project=obj, actor=actor)


@register
class SubJobDocument(ErpDocument):
    item_type = ItemType.SUB_JOB
    model = SubJob
    label = "sub job"
    erp_id_field = "sage_extra_id"
    erp_id_label = "SubJob ID"
    send_action = Action.SEND_RETRIEVE_RESEND
    accept_action = Action.ACCEPT_REJECT_SUB_JOB
    accept_fields = (
        AcceptField("sub_job_id", "SubJob ID", default=lambda sub_job: sub_job.code, limit=(ExtraExport, "extra"),
                    identifies=True),
    )
    field_limits = {"code": (ExtraExport, "extra"), "name": (ExtraExport, "description")}
    locked_fields = ("code", "name")
    locked_children = (
        ChildLock(
            model=ProjectCostCode, label="cost code",
            parent=lambda code: code.sub_job if code.sub_job_id else None,  # all locked: Sage maintains them (R52)
            delete=lambda code, actor=None: project_cost_code_remove(project_cost_code=code, actor=actor),
        ),
    )
    search_fields = ("code", "name", "sage_extra_id", "project__number")
    select_related = ("project",)
    api_basename = "sub-job"
    tab_key, tab_label, tab_order = "sub-jobs", "Sub Jobs", 20
    staged_kind = EXTRA
    dataset = SUB_JOBS
    import_actions = (ImportAction("add", "Import as sub jobs", Action.IMPORT_ERP_SUB_JOB, extra_import_as_sub_job),)
    archive_action = Action.IMPORT_ERP_SUB_JOB
    view_synced_action = Action.VIEW_SYNCED_SUB_JOBS
    project_lookup = "project"

    def project_of(self, obj: SubJob) -> Project:
        return obj.project

    def describe(self, obj: SubJob) -> str:
        return f"{obj.project.number}/{obj.code} {obj.name}"

    def prerequisites(self, obj: SubJob, context: SendContext) -> dict[str, str]:
        project = obj.project
        problems = {}
        if project.erp_status != ErpStatus.SYNCED or not project.sage_job_id:
            problems["project"] = (
                f"Project {project.number} is not synced with a Sage job yet; export the project first (an extra "
                "belongs to a job)."
            )
        elif job_known_closed(project.sage_job_id):
            error = ErpError("job_closed", job=project.sage_job_id)
            problems["project"] = f"{error.message} {error.resolution}"
        return problems

    def steps(self, obj: SubJob, fields: dict[str, str]) -> list[Step]:
        job_id, extra = obj.project.sage_job_id, fields["sub_job_id"]
        steps = [Step(EXTRA, ExtraExport(job_id=job_id, extra=extra, description=obj.name))]
        cost_codes = cost_code_records(obj.project, sub_job=obj, job_id=job_id, extra=extra)
        if cost_codes:
            steps.append(Step("cost_codes", JobCostCodesExport(job_id=job_id, extra=extra, cost_codes=cost_codes)))
        return steps

    def importable(self, staged):
        # An extra is importable only under a job that is synced with a project.
        return staged.filter(parent_origin_id__in=Project.objects.filter(sage_job_id__isnull=False).values("sage_job_id"))

    def waiting_to_import(self) -> str:
        waiting = StagedRecord.objects.filter(
            kind=EXTRA, status=StagedRecord.Status.STAGED, erp_deleted_at__isnull=True
        ).exclude(parent_origin_id__in=Project.objects.filter(sage_job_id__isnull=False).values("sage_job_id"))
        job_ids = list(waiting.values_list("parent_origin_id", flat=True).distinct().order_by("parent_origin_id")[:6])
        if not job_ids:
            return ""
        total = waiting.count()
        jobs = ", ".join(job_ids[:5]) + (" …" if len(job_ids) > 5 else "")
        extras = "1 Sage extra waits" if total == 1 else f"{total:,} Sage extras wait"
        return (f"{extras} for {'its job' if total == 1 else 'their job'} ({jobs}) to be added as a project: add the "
                "job from Jobs › Ready to Import (Add as new projects), then its extras are listed here.")

    def erp_record(self, obj: SubJob) -> ExtraExport:
        return ExtraExport(job_id=obj.project.sage_job_id or "", extra=obj.sage_extra_id or "", description=obj.name)

    def apply_synced(self, obj: SubJob, fields, results) -> list[str]:
        obj.sage_extra_id = results[EXTRA]["erp_id"]
        cost_codes_mark_synced(obj.project, sub_job=obj)
        return ["sage_extra_id"]

    def update(self, obj, data, *, actor=None):
        return sub_job_update(sub_job=obj, data=data, actor=actor)

    def delete(self, obj, *, actor=None) -> None:
        sub_job_delete(sub_job=obj, actor=actor)


# --- datasets --------------------------------------------------------------------------------------


def _jobs_read(connector, cursor, changed_since) -> Page:
    return connector.jobs(cursor=cursor, limit=SYNC_PAGE_SIZE, changed_since=changed_since)


def _jobs_write(records, run) -> PageOutcome:
    projects = dict(
        Project.objects.filter(sage_job_id__any_of=[r.job_id for r in records]).values_list("sage_job_id", "pk")
    )
    return stage_records(
        kind=JOB,
        items=[("", r.job_id, r.name, asdict(r)) for r in records],
        linked={("", job_id): pk for job_id, pk in projects.items()},
    )


def _extras_read(connector, cursor, changed_since) -> Page:
    return connector.extras(cursor=cursor, limit=SYNC_PAGE_SIZE, changed_since=changed_since)


def _extras_write(records, run) -> PageOutcome:
    if not erp_option(EXTRAS_AS_SUB_JOBS.key):
        outcome = PageOutcome(skipped=len(records))
        outcome.explain(len(records), "extra skipped: 'Add Sage extras as sub jobs' is off in the ERP settings",
                        "extras skipped: 'Add Sage extras as sub jobs' is off in the ERP settings")
        return outcome
    job_ids = sorted({r.job_id for r in records})
    linked_rows = SubJob.objects.filter(
        project__sage_job_id__any_of=job_ids, sage_extra_id__isnull=False
    ).values_list("project__sage_job_id", "sage_extra_id", "pk")
    outcome = stage_records(
        kind=EXTRA,
        items=[(r.job_id, r.extra, r.description, asdict(r)) for r in records],
        linked={(job_id, extra): pk for job_id, extra, pk in linked_rows},
    )
    # An extra under a job that is not a Trestle project yet is kept, but cannot be imported until it is.
    synced_jobs = set(Project.objects.filter(sage_job_id__any_of=job_ids).values_list("sage_job_id", flat=True))
    waiting = sum(1 for r in records if r.job_id not in synced_jobs)
    outcome.explain(waiting, WAITING_ONE, WAITING_MANY)
    return outcome


WAITING_ONE = ("extra waiting for its job: add the job as a project (Jobs › Ready to Import) and it can be imported "
               "as a sub job")
WAITING_MANY = ("extras waiting for their job: add the job as a project (Jobs › Ready to Import) and they can be "
                "imported as sub jobs")


register_dataset(DatasetSpec(JOBS, "Jobs", Action.ADD_ERP_JOB, _jobs_read, _jobs_write, staged_kind=JOB,
                             staged_key=lambda record: ("", record.job_id), order=20))
register_dataset(DatasetSpec(SUB_JOBS, "Sub Jobs", Action.IMPORT_ERP_SUB_JOB, _extras_read, _extras_write,
                             staged_kind=EXTRA, staged_key=lambda record: (record.job_id, record.extra), order=30))


# --- reconcile -------------------------------------------------------------------------------------

JOB_FIELDS = ("name", "address", "city", "state", "zip")  # the project's field = the job record's field


def _reconcile_projects(report: ReconcileReport, connector) -> None:
    jobs = {job.job_id: job for job in get_all(connector.jobs)}
    for project in Project.objects.filter(sage_job_id__isnull=False).order_by("number"):
        report.count("projects")
        label = label_of(project)
        job = jobs.get(project.sage_job_id)
        if job is None:
            report.add(Kind.MISSING_IN_ERP, label, "sage_job_id", project.sage_job_id, MISSING)
            continue
        if project.erp_status != ErpStatus.SYNCED:
            report.add(Kind.NOT_SYNCED, label, "erp_status", project.erp_status, f"job {job.job_id}")
        for name in JOB_FIELDS:
            if getattr(project, name) != getattr(job, name):
                report.add(Kind.FIELD, label, name, getattr(project, name), getattr(job, name))
    # Two ERP jobs that are one job to the ERP (Sage: the same id without punctuation). Sage refuses this;
    # it should never be seen.
    by_identity: dict[str, list[str]] = {}
    for job_id in sorted(jobs):
        by_identity.setdefault(connector.identity(JobExport(job_id, "", "", "", "", "")), []).append(job_id)
    duplicates = [job_ids for job_ids in by_identity.values() if len(job_ids) > 1]
    if not duplicates:
        return
    ids = [job_id for job_ids in duplicates for job_id in job_ids]
    linked = dict(Project.objects.filter(sage_job_id__in=ids).values_list("sage_job_id", "number"))
    for job_ids in duplicates:
        owners = ", ".join(f"project {linked[j]}" for j in job_ids if j in linked) or "(no project linked)"
        report.add(Kind.DUPLICATE_JOB, owners, "sage_job_id", ", ".join(linked.get(j, "") for j in job_ids if j in linked),
                   " = ".join(job_ids))


def _reconcile_sub_jobs(report: ReconcileReport, connector) -> None:
    extras = {(r.job_id, r.extra): r for r in get_all(connector.extras)}
    for sub_job in SubJob.objects.filter(sage_extra_id__isnull=False).select_related("project").order_by(
        "project__number", "code"
    ):
        report.count("sub jobs")
        label = label_of(sub_job)
        extra = extras.get((sub_job.project.sage_job_id, sub_job.sage_extra_id))
        if extra is None:
            where = f"{sub_job.project.sage_job_id}/{sub_job.sage_extra_id}"
            report.add(Kind.MISSING_IN_ERP, label, "sage_extra_id", where, MISSING)
            continue
        if sub_job.erp_status != ErpStatus.SYNCED:
            report.add(Kind.NOT_SYNCED, label, "erp_status", sub_job.erp_status, f"extra {extra.extra}")
        if sub_job.name != extra.description:
            report.add(Kind.FIELD, label, "name", sub_job.name, extra.description)


register_reconcile(ReconcileCheck("projects", "projects", _reconcile_projects, order=10))
register_reconcile(ReconcileCheck("sub-jobs", "sub jobs", _reconcile_sub_jobs, order=20))


"""The export lifecycle: send, retrieve, accept, reject, resend, retry, unlink, link — and the settings.

Every state change follows one order: ask the permission matrix → lock the row → check → run the
transition (fields only) → save → write the transition log (``apps.erp.audit``) → enqueue after
commit. The export itself runs in the worker (``apps.erp.export``).

Accept (one item or a page of them) plans the export: it builds the steps' records, asks the ERP
in one request what it already holds under each record's identity, refuses an id that is taken
— in the ERP, or reserved by another item in the workflow — and links what an earlier try of the
same item wrote. What is accepted is fixed in an ``ExportAttempt`` with its idempotency key.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from apps.access.checks import require
from apps.access.matrix import Action
from apps.core.exceptions import ApplicationError, Conflict, ValidationFailed
from apps.core.bulk import bulk_update
from apps.erp import audit
from apps.erp.connector import get_connector
from apps.erp.errors import CATALOGUE, ErpError
from apps.erp.lifecycle import ERP_LIFECYCLE_FIELDS, ErpExportable, ErpStatus
from apps.erp.models import ErpIdReservation, ErpSettings, ExportAttempt, StagedRecord
from apps.erp.records import Found, record_from_json, record_to_json
from apps.erp.registry import ErpDocument, SendContext, Step, document, setting_spec

logger = logging.getLogger(__name__)


# --- settings ---------------------------------------------------------------------------------


def erp_settings() -> ErpSettings:
    """The one settings row (created empty: not connected, every option at its default)."""
    settings_row = ErpSettings.objects.order_by("pk").first()
    if settings_row is None:
        settings_row, _ = ErpSettings.objects.get_or_create(pk=1)
    return settings_row


def erp_option(key: str, settings_row: ErpSettings | None = None) -> bool:
    """A domain's yes/no ERP setting (``SettingSpec``), or its default while nobody has changed it."""
    spec = setting_spec(key)
    options = (settings_row or erp_settings()).options or {}
    return bool(options.get(key, spec.default))


def direct_export_on(doc: ErpDocument, settings_row: ErpSettings | None = None) -> bool:
    return doc.direct_export and str(doc.item_type) in ((settings_row or erp_settings()).direct_export or [])


@transaction.atomic
def erp_connect(*, actor=None, now=None) -> ErpSettings:
    """Connect Trestle to the ERP company: the connector must answer; from now on projects can be exported.

    Projects that existed before this moment cannot be exported (R47). Connecting again keeps the
    first moment and only refreshes the company's name.
    """
    if actor is not None:
        require(actor, Action.CONFIGURE_ADVANCED_SETTINGS)
    company = get_connector().company()  # raises ErpError when the ERP does not answer
    settings_row = ErpSettings.objects.select_for_update().get(pk=erp_settings().pk)
    settings_row.connected_company = f"{company.name} ({company.product} {company.version})"[:200]
    if settings_row.connected_at is None:
        settings_row.connected_at = now or timezone.now()
        settings_row.connected_by = actor if actor is not None and actor.is_authenticated else None
    settings_row.save()
    return settings_row


@transaction.atomic
def erp_settings_save(
    *, direct_export: Iterable[str] | None = None, options: dict[str, bool] | None = None, actor=None
) -> ErpSettings:
    """Change the Direct Export switches (P#18) and the domains' settings (P#16); unknown keys are refused."""
    from apps.erp.registry import direct_export_documents, settings_specs

    settings_row = ErpSettings.objects.select_for_update().get(pk=erp_settings().pk)
    if direct_export is not None:
        allowed = {str(doc.item_type) for doc in direct_export_documents()}
        wanted = sorted(set(map(str, direct_export)))
        unknown = [item for item in wanted if item not in allowed]
        if unknown:
            raise ValidationFailed({"direct_export": f"Direct Export is not available for {', '.join(unknown)}."})
        if wanted != sorted(settings_row.direct_export or []):
            if actor is not None:
                require(actor, Action.ENABLE_DIRECT_EXPORT)
            settings_row.direct_export = wanted
    if options is not None:
        known = {spec.key for spec in settings_specs()}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ValidationFailed({"options": f"Unknown ERP settings: {', '.join(unknown)}."})
        merged = {**(settings_row.options or {}), **{key: bool(value) for key, value in options.items()}}
        if merged != (settings_row.options or {}):
            if actor is not None:
                require(actor, Action.CONFIGURE_ADVANCED_SETTINGS)
            settings_row.options = merged
    settings_row.save()
    return settings_row


# --- helpers ------------------------------------------------------------------------------------

NOTHING_CHANGED = {
    "timeout": "Sage 300 CRE did not answer in time, so nothing was changed. Press {action} again in a moment.",
    "rate_limited": "Sage 300 CRE's hourly request limit is used up, so nothing was changed. Press {action} again "
                    "after the hour turns (exports already queued wait and go on by themselves).",
}


@contextmanager
def _asking_erp(action: str):
    """The approver's request needs an answer from the ERP: when none comes, say that nothing changed.

    (The catalogue's resolution for a timeout is about exports, which retry by themselves; here the
    person has to press the button again.)
    """
    try:
        yield
    except ErpError as error:
        if not error.transient:
            raise
        raise ErpError(error.code, message=error.message, retryable=True,
                       override_resolution=NOTHING_CHANGED.get(error.code, NOTHING_CHANGED["timeout"]).format(action=action),
                       **error.context) from error


def _save(obj, *extra_fields: str, actor=None) -> None:
    if actor is not None and getattr(actor, "is_authenticated", False):
        obj._history_user = actor  # the change history names who did it, whatever the request (simple-history)
    obj.save(update_fields=[*ERP_LIFECYCLE_FIELDS, *extra_fields, "updated_at"])


def _refuse_transition(doc: ErpDocument, obj, action: str) -> Conflict:
    status = ErpStatus(obj.erp_status).label
    return Conflict(
        f"Cannot {action} {doc.label} {doc.describe(obj)}: it is {status.lower()}.",
        code="invalid_transition",
        extra={"erp_status": obj.erp_status},
    )


def _transition(doc: ErpDocument, obj, action: str, method_name: str, *args, **kwargs) -> None:
    method = getattr(obj, method_name)
    if not can_proceed(method):
        raise _refuse_transition(doc, obj, action)
    method(*args, **kwargs)


SENDER, APPROVER, UNLINKER = "send", "accept", "unlink"


def _require(doc: ErpDocument, obj, actor, role: str) -> None:
    """A sender needs the item's own tool (or, for projects, ERP Integrations itself, P#11); approvers
    work the company-level ERP tool with their per-type switch."""
    action = {SENDER: doc.send_action, APPROVER: doc.accept_action, UNLINKER: doc.unlink_action}[role]
    if action is None:
        raise Conflict(f"{doc.label.capitalize()}s cannot be unlinked from the ERP.", code="unlink_not_supported")
    require(actor, action, project=doc.project_of(obj), item_type=doc.item_type)


def _lock(doc: ErpDocument, obj) -> ErpExportable:
    return doc.model.objects.select_for_update(of=("self",)).select_related(*doc.select_related).get(pk=obj.pk)


def _lock_many(doc: ErpDocument, objs: Sequence) -> list:
    """Lock a page of items in pk order (no deadlock between two approvers)."""
    pks = sorted({obj.pk for obj in objs})
    locked = (
        doc.model.objects.select_for_update(of=("self",)).select_related(*doc.select_related)
        .prefetch_related(*doc.prefetch_related).filter(pk__in=pks).order_by("pk")
    )
    return list(locked)


def _begin(item_type: str, obj, actor, role: str) -> tuple[ErpDocument, ErpExportable, str]:
    doc = document(item_type)
    _require(doc, obj, actor, role)
    locked = _lock(doc, obj)
    return doc, locked, locked.erp_status


def send_problems(doc: ErpDocument, obj, context: SendContext | None = None) -> dict[str, str]:
    """Everything checked at Send (and again at Accept): the connector's limits, then the document's own rules."""
    context = context or SendContext.now()
    if context.settings.connected_at is None:
        error = ErpError("not_connected")
        return {"erp": f"{error.message} {error.resolution}"}
    return {**doc.limit_problems(obj, context.connector), **doc.prerequisites(obj, context)}


def _check_send_problems(doc: ErpDocument, obj) -> None:
    problems = send_problems(doc, obj)
    if problems:
        raise ValidationFailed(problems, code="erp_prerequisites")


def enqueue_attempts(attempt_ids: Sequence[int]) -> None:
    """One worker task per batch of attempts (a batch costs the queue one task, not one per item)."""
    from django_q.tasks import async_task

    from apps.erp.export import BATCH

    ids = list(attempt_ids)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start:start + BATCH]
        async_task("apps.erp.tasks.export_attempts_run_task", chunk, task_name=f"erp-export-{chunk[0]}",
                   group="erp-export")


def _enqueue_after_commit(attempt_ids: list[int]) -> None:
    if attempt_ids:
        transaction.on_commit(lambda: enqueue_attempts(attempt_ids))


# --- planning an export -----------------------------------------------------------------------------


@dataclass
class _Plan:
    obj: ErpExportable
    fields: dict[str, str]
    steps: list[Step]
    identity: str
    erp_code: str
    # filled by _check_plans: the ERP already holds this very record (written by an earlier try of this item,
    # or identical where the document links identical records), so the export's first step is done already
    found: Found | None = None


def _clean_fields(doc: ErpDocument, obj, entered: dict, connector) -> dict[str, str]:
    cleaned, problems = {}, {}
    for accept_field in doc.accept_fields:
        value = accept_field.clean(entered.get(accept_field.name))
        if not value and accept_field.default:
            value = accept_field.clean(accept_field.default(obj))
        if not value:
            problems[accept_field.name] = f"Enter the {accept_field.label} for this {doc.label}."
            continue
        if accept_field.choices and value not in accept_field.choices:
            problems[accept_field.name] = f"Choose one of: {', '.join(accept_field.choices)}."
            continue
        if accept_field.limit:
            record_type, record_field = accept_field.limit
            message = connector.limits.violations(record_type, {record_field: value}).get(record_field)
            if message:
                problems[accept_field.name] = message
                continue
        cleaned[accept_field.name] = value
    if problems:
        raise ValidationFailed(problems)
    return cleaned


def _plan(doc: ErpDocument, obj, entered: dict, connector) -> _Plan:
    fields = _clean_fields(doc, obj, entered, connector)
    steps = doc.steps(obj, fields)
    return _Plan(obj=obj, fields=fields, steps=steps, identity=connector.identity(steps[0].record),
                 erp_code=fields[doc.id_field.name])


def _plan_json(steps: list[Step]) -> list[dict]:
    return [{"name": step.name, "record": record_to_json(step.record)} for step in steps]


def _unrecorded_attempts(doc: ErpDocument, object_ids: Iterable[int]) -> dict[int, list[ExportAttempt]]:
    """Per item, its failed attempts since its last recorded export: writes Trestle may not know of."""
    attempts: dict[int, list[ExportAttempt]] = {}
    rows = ExportAttempt.objects.filter(item_type=doc.item_type, object_id__in=list(object_ids)).order_by("pk")
    for attempt in rows:
        if attempt.status == ExportAttempt.Status.SUCCEEDED:
            attempts[attempt.object_id] = []  # recorded; what came before it is accounted for
        elif attempt.status == ExportAttempt.Status.FAILED and attempt.plan:
            attempts.setdefault(attempt.object_id, []).append(attempt)
    return attempts


def _first_record(attempt: ExportAttempt):
    return record_from_json(attempt.plan[0]["record"])


def _conflict_message(doc: ErpDocument, plan: _Plan, found: Found) -> str:
    code = found.conflict or ("vendor_id_exists" if doc.links_identical else "job_id_exists")
    context = {"job": plan.erp_code, "vendor": plan.erp_code, "code": plan.erp_code, **found.data}
    error = ErpError(code, **context) if code in CATALOGUE else ErpError("invalid_format", detail=found.conflict)
    return f"{error.message} {error.resolution}"


def _check_plans(doc: ErpDocument, plans: list[_Plan], connector) -> dict[int, ValidationFailed]:
    """Refuse ids taken in the ERP or reserved by another item; find what earlier tries already wrote.

    One ERP request for the whole page: the records of this accept and those of each item's
    unrecorded earlier attempts. Returns the refusal of each plan refused, by item pk.
    """
    refused: dict[int, ValidationFailed] = {}
    earlier = _unrecorded_attempts(doc, [plan.obj.pk for plan in plans])
    earlier_records = [(plan, attempt) for plan in plans for attempt in earlier.get(plan.obj.pk, [])]
    records = [plan.steps[0].record for plan in plans] + [_first_record(attempt) for _, attempt in earlier_records]
    answers = connector.find_written(records) if records else []
    current, previous = answers[: len(plans)], answers[len(plans):]
    written_before: dict[int, list[tuple[ExportAttempt, Found]]] = {}
    for (plan, attempt), found in zip(earlier_records, previous):
        if found is not None and found.same:
            written_before.setdefault(plan.obj.pk, []).append((attempt, found))
    id_field = doc.id_field
    for plan, found in zip(plans, current):
        mine = written_before.get(plan.obj.pk, [])
        other_codes = sorted({attempt.erp_code for attempt, _ in mine if attempt.erp_code != plan.erp_code})
        if other_codes:
            code = other_codes[0]
            refused[plan.obj.pk] = ValidationFailed({id_field.name: (
                f"Sage 300 CRE already has this {doc.label} as {code}: an earlier try reached it before its answer "
                f"was lost. Use {code} to link it (a second {doc.erp_id_label} would put it in Sage twice)."
            )}, code="erp_record_written")
            continue
        if found is not None:
            earlier_code = any(attempt.erp_code == plan.erp_code for attempt, _ in mine)
            if found.same and (doc.links_identical or earlier_code):
                plan.found = found
            else:
                code = found.conflict if found.conflict in CATALOGUE else "erp_id_taken"
                refused[plan.obj.pk] = ValidationFailed({id_field.name: _conflict_message(doc, plan, found)}, code=code)
                continue
    # Reserved by another item in the workflow (accepted, exporting, failed or synced).
    identities = {plan.identity for plan in plans if plan.obj.pk not in refused}
    holders = {
        reservation.identity: reservation
        for reservation in ErpIdReservation.objects.filter(identity__in=identities)
    }
    seen: dict[str, int] = {}
    for plan in plans:
        if plan.obj.pk in refused:
            continue
        holder = holders.get(plan.identity)
        mine = holder is not None and holder.item_type == doc.item_type and holder.object_id == plan.obj.pk
        if holder is not None and not mine and not _holder_gone(holder):
            refused[plan.obj.pk] = ValidationFailed({id_field.name: _reserved_message(doc, plan, holder)},
                                                    code="erp_id_reserved")
        elif plan.identity in seen:
            refused[plan.obj.pk] = ValidationFailed({id_field.name: (
                f"{id_field.label} {plan.erp_code} is entered for two {doc.label}s in this batch; each needs its own."
            )}, code="erp_id_reserved")
        else:
            seen[plan.identity] = plan.obj.pk
    return refused


def _holder_gone(holder: ErpIdReservation) -> bool:
    """A reservation whose item no longer exists (deleted behind the services' back) is let go."""
    try:
        model = document(holder.item_type).model
    except LookupError:
        return False
    if model.objects.filter(pk=holder.object_id).exists():
        return False
    holder.delete()
    return True


def _reserved_message(doc: ErpDocument, plan: _Plan, holder: ErpIdReservation) -> str:
    try:
        holder_doc = document(holder.item_type)
        other = holder_doc.model.objects.filter(pk=holder.object_id).first()
        who = f"{holder_doc.label} {holder_doc.describe(other)}" if other else f"{holder_doc.label} #{holder.object_id}"
    except LookupError:
        who = f"another item ({holder.item_type} #{holder.object_id})"
    return f"{doc.id_field.label} {plan.erp_code} is already taken by {who}; enter another one."


def _reserve(doc: ErpDocument, plans: list[_Plan]) -> None:
    """Hold each plan's identity for its item (an item moving to a new id lets go of its old one)."""
    if not plans:
        return
    ErpIdReservation.objects.filter(
        item_type=doc.item_type, object_id__in=[plan.obj.pk for plan in plans]
    ).exclude(identity__in=[plan.identity for plan in plans]).delete()
    kept = set(
        ErpIdReservation.objects.filter(identity__in=[plan.identity for plan in plans]).values_list("identity", flat=True)
    )
    try:
        with transaction.atomic():
            ErpIdReservation.objects.bulk_create([
                ErpIdReservation(identity=plan.identity, item_type=doc.item_type, object_id=plan.obj.pk,
                                 erp_code=plan.erp_code)
                for plan in plans if plan.identity not in kept
            ])
    except IntegrityError:
        # Another approver reserved one of these ids between our check and our insert.
        raise Conflict(
            f"Another approver has just taken one of these {doc.id_field.label}s. Reload the page and try again.",
            code="erp_id_reserved",
        ) from None


def _release(doc: ErpDocument, obj) -> None:
    ErpIdReservation.objects.filter(item_type=doc.item_type, object_id=obj.pk).delete()


def _start_attempts(doc: ErpDocument, plans: list[_Plan]) -> list[ExportAttempt]:
    attempts = [
        ExportAttempt(
            item_type=doc.item_type, object_id=plan.obj.pk, erp_code=plan.erp_code, payload=plan.fields,
            plan=_plan_json(plan.steps),
            # What Accept found in the ERP is this item's own record: the export links it instead of writing it.
            steps_done={plan.steps[0].name: {"erp_id": plan.found.erp_id, "linked_existing": True, "recovered": True}}
            if plan.found is not None else {},
        )
        for plan in plans
    ]
    created = ExportAttempt.objects.bulk_create(attempts)
    if created and created[0].pk is None:  # backends without RETURNING on bulk insert
        keys = [attempt.idempotency_key for attempt in attempts]
        created = list(ExportAttempt.objects.filter(idempotency_key__in=keys).order_by("pk"))
    return created


# --- the lifecycle ------------------------------------------------------------------------------------


@transaction.atomic
def erp_send(*, item_type: str, obj, actor) -> ErpExportable:
    """Send an item to ERP Integrations (or straight to the ERP when Direct Export is on for its type)."""
    doc, obj, from_status = _begin(item_type, obj, actor, SENDER)
    if obj.erp_status != ErpStatus.NOT_IN_ERP:
        raise _refuse_transition(doc, obj, "send")
    _check_send_problems(doc, obj)
    now = timezone.now()
    obj.erp_sent_by, obj.erp_sent_at = actor, now
    if direct_export_on(doc):
        connector = get_connector()
        plan = _plan(doc, obj, doc.accept_defaults(obj), connector)
        with _asking_erp("Send to ERP"):
            refused = _check_plans(doc, [plan], connector)
        if refused:
            raise refused[obj.pk]
        _transition(doc, obj, "send", "erp_send_direct")
        obj.erp_fields, obj.erp_approved_by, obj.erp_approved_at = plan.fields, actor, now
        _save(obj, actor=actor)
        _reserve(doc, [plan])
        (attempt,) = _start_attempts(doc, [plan])
        audit.log(audit.sent_direct(doc, obj, from_status, actor=actor, fields=plan.fields, attempt_id=attempt.pk))
        _enqueue_after_commit([attempt.pk])
    else:
        _transition(doc, obj, "send", "erp_send")
        _save(obj, actor=actor)
        audit.log(audit.sent(doc, obj, from_status, actor=actor))
    return obj


@transaction.atomic
def erp_retrieve(*, item_type: str, obj, actor) -> ErpExportable:
    """Take an item back from Ready to Export before an approver has acted on it."""
    doc, obj, from_status = _begin(item_type, obj, actor, SENDER)
    _transition(doc, obj, "retrieve", "erp_retrieve")
    _save(obj, actor=actor)
    audit.log(audit.retrieved(doc, obj, from_status, actor=actor))
    return obj


@dataclass
class AcceptOutcome:
    accepted: list
    refused: dict[int, ApplicationError]  # pk → why that item was not accepted (nothing changed on it)


def erp_accept(*, item_type: str, obj, actor, fields: dict | None = None) -> ErpExportable:
    """The approver accepts one item: it is exported with the fields they entered (e.g. the Sage Job ID)."""
    outcome = erp_accept_many(item_type=item_type, items=[(obj, fields or {})], actor=actor)
    if outcome.refused:
        raise outcome.refused[obj.pk]
    return outcome.accepted[0]


@transaction.atomic
def erp_accept_many(*, item_type: str, items: Sequence[tuple[object, dict]], actor) -> AcceptOutcome:
    """Accept a page of items in one transaction and one ERP request; refusals are reported per item.

    The ones refused (wrong status, prerequisites, an id taken or reserved) stay as they were; if
    the ERP does not answer, nothing is accepted and the ``ErpError`` says so.
    """
    doc = document(item_type)
    entered_by_pk = {obj.pk: dict(fields or {}) for obj, fields in items}
    for obj, _ in items:
        _require(doc, obj, actor, APPROVER)
    locked = _lock_many(doc, [obj for obj, _ in items])
    context = SendContext.now()
    refused: dict[int, ApplicationError] = {}
    plans: list[_Plan] = []
    for obj in locked:
        if obj.erp_status != ErpStatus.READY_TO_EXPORT:
            refused[obj.pk] = _refuse_transition(doc, obj, "accept")
            continue
        problems = send_problems(doc, obj, context)
        if problems:
            refused[obj.pk] = ValidationFailed(problems, code="erp_prerequisites")
            continue
        entered = {**doc.accept_defaults(obj), **{k: v for k, v in entered_by_pk[obj.pk].items() if v not in (None, "")}}
        try:
            plans.append(_plan(doc, obj, entered, context.connector))
        except ValidationFailed as invalid:
            refused[obj.pk] = invalid
    with _asking_erp("Accept"):
        refused.update(_check_plans(doc, plans, context.connector))
    plans = [plan for plan in plans if plan.obj.pk not in refused]
    now = timezone.now()
    from_status = {}
    for plan in plans:
        obj = plan.obj
        from_status[obj.pk] = obj.erp_status
        obj.erp_accept()
        obj.erp_fields, obj.erp_approved_by, obj.erp_approved_at = plan.fields, actor, now
        obj.updated_at = now
    if plans:
        bulk_update(doc.model, [plan.obj for plan in plans], [*ERP_LIFECYCLE_FIELDS, "updated_at"],
                    history_reason="Accepted for export to Sage 300 CRE",
                    history_user=actor if getattr(actor, "is_authenticated", False) else None)
        _reserve(doc, plans)
        attempts = _start_attempts(doc, plans)
        audit.log_many([
            audit.accepted(doc, plan.obj, from_status[plan.obj.pk], actor=actor, fields=plan.fields,
                           attempt_id=attempt.pk)
            for plan, attempt in zip(plans, attempts)
        ])
        _enqueue_after_commit([attempt.pk for attempt in attempts])
    return AcceptOutcome(accepted=[plan.obj for plan in plans], refused=refused)


@transaction.atomic
def erp_reject(*, item_type: str, obj, actor, comment: str) -> ErpExportable:
    comment = (comment or "").strip()
    doc, obj, from_status = _begin(item_type, obj, actor, APPROVER)
    if not comment:
        raise ValidationFailed({"comment": "Say why you reject it; the sender sees your comment."})
    _transition(doc, obj, "reject", "erp_reject", comment=comment)
    _save(obj, actor=actor)
    _release(doc, obj)
    audit.log(audit.rejected(doc, obj, from_status, actor=actor, comment=comment))
    return obj


@transaction.atomic
def erp_resend(*, item_type: str, obj, actor) -> ErpExportable:
    doc, obj, from_status = _begin(item_type, obj, actor, SENDER)
    if obj.erp_status != ErpStatus.REJECTED:
        raise _refuse_transition(doc, obj, "resend")
    _check_send_problems(doc, obj)
    _transition(doc, obj, "resend", "erp_resend")
    obj.erp_sent_by, obj.erp_sent_at = actor, timezone.now()
    _save(obj, actor=actor)
    audit.log(audit.resent(doc, obj, from_status, actor=actor))
    return obj


@transaction.atomic
def erp_retry(*, item_type: str, obj, actor, fields: dict | None = None) -> ErpExportable:
    """Export a failed item again once its cause is fixed. New approver fields replace the old ones.

    If the failed attempt wrote anything after all (its answer was lost), the retry goes on with
    that attempt — same key, same requests — and the id cannot change. Otherwise an unchanged
    export retries the same attempt (same key, R201) and a changed one starts a new attempt.
    """
    doc, obj, from_status = _begin(item_type, obj, actor, APPROVER)
    if obj.erp_status != ErpStatus.FAILED_TO_EXPORT:
        raise _refuse_transition(doc, obj, "retry")
    _check_send_problems(doc, obj)
    connector = get_connector()
    entered = {**doc.accept_defaults(obj), **{k: v for k, v in (fields or {}).items() if v not in (None, "")}}
    plan = _plan(doc, obj, entered, connector)
    last = ExportAttempt.objects.filter(item_type=doc.item_type, object_id=obj.pk).order_by("-pk").first()
    resume = last is not None and last.status == ExportAttempt.Status.FAILED and (
        bool(last.steps_done) or last.plan == _plan_json(plan.steps)
    )
    if resume and last.erp_code != plan.erp_code and last.steps_done:
        raise ValidationFailed({doc.id_field.name: (
            f"Sage 300 CRE already has this {doc.label} as {last.erp_code}: an earlier try wrote it. Retry with "
            f"{last.erp_code}, or reject the {doc.label} and unlink it in Sage first."
        )}, code="erp_record_written")
    if not resume:
        with _asking_erp("Retry"):
            refused = _check_plans(doc, [plan], connector)
        if refused:
            raise refused[obj.pk]
    _transition(doc, obj, "retry", "erp_retry")
    if resume:
        plan.fields, plan.identity, plan.erp_code = last.payload, connector.identity(_first_record(last)), last.erp_code
    obj.erp_fields, obj.erp_approved_by, obj.erp_approved_at = plan.fields, actor, timezone.now()
    _save(obj, actor=actor)
    _reserve(doc, [plan])
    if resume:
        # The same attempt, with the same idempotency key, and a fresh budget of automatic retries.
        last.status, last.not_before, last.error_code, last.error_message, last.tries = (
            ExportAttempt.Status.QUEUED, None, "", "", 0
        )
        last.save(update_fields=["status", "not_before", "error_code", "error_message", "tries", "updated_at"])
        attempt = last
    else:
        (attempt,) = _start_attempts(doc, [plan])
    audit.log(audit.retried(doc, obj, from_status, actor=actor, fields=plan.fields, attempt_id=attempt.pk,
                            resumed=resume))
    _enqueue_after_commit([attempt.pk])
    return obj


@transaction.atomic
def erp_unlink(*, item_type: str, obj, actor, confirm: bool = False) -> ErpExportable:
    """Break the link to the ERP record: free once the ERP record is gone, else the approver confirms."""
    doc, obj, from_status = _begin(item_type, obj, actor, UNLINKER)
    if obj.erp_status != ErpStatus.SYNCED:
        raise _refuse_transition(doc, obj, "unlink")
    with _asking_erp("Unlink"):
        (found,) = get_connector().find_written([doc.erp_record(obj)])
    still_there = found is not None
    if still_there and not confirm:
        raise Conflict(
            f"{doc.describe(obj)} is still in Sage 300 CRE. Delete it there first, or confirm that you want to "
            "unlink it anyway (Trestle will no longer keep the two in step).",
            code="erp_record_still_exists",
        )
    erp_id = getattr(obj, doc.erp_id_field)
    _transition(doc, obj, "unlink", "erp_unlink")
    setattr(obj, doc.erp_id_field, None)
    _save(obj, doc.erp_id_field, actor=actor)
    doc.after_unlink(obj)
    _release(doc, obj)
    if doc.staged_kind:
        # The ERP record goes back to Ready to Import, so it can be linked or added again.
        StagedRecord.objects.filter(kind=doc.staged_kind, linked_object_id=obj.pk).update(
            status=StagedRecord.Status.STAGED, linked_object_id=None, updated_at=timezone.now()
        )
    audit.log(audit.unlinked(doc, obj, from_status, actor=actor, erp_id=erp_id, still_in_erp=still_there))
    return obj


@transaction.atomic
def erp_link(*, item_type: str, obj, erp_id: str, actor=None, imported: bool = False, data: dict | None = None):
    """Mark an item synced with an ERP record that already exists (imported from, or linked to, the ERP).

    The only way an item gets an ERP id without an export: its ERP identity is reserved for it, so no
    other item can be accepted or linked with the same record.
    """
    doc = document(item_type)
    erp_id = (erp_id or "").strip()
    if not erp_id:
        raise ValidationFailed({doc.erp_id_field: f"Enter the {doc.erp_id_label} to link the {doc.label} to."})
    obj = _lock(doc, obj)
    from_status = obj.erp_status
    _transition(doc, obj, "import" if imported else "link", "erp_link")
    setattr(obj, doc.erp_id_field, erp_id)
    obj.erp_synced_at = timezone.now()
    connector = get_connector()
    identity = connector.identity(doc.erp_record(obj))
    holder = ErpIdReservation.objects.filter(identity=identity).first()
    mine = holder is not None and holder.item_type == doc.item_type and holder.object_id == obj.pk
    if holder is not None and not mine and not _holder_gone(holder):
        plan = _Plan(obj=obj, fields={}, steps=[], identity=identity, erp_code=erp_id)
        raise Conflict(_reserved_message(doc, plan, holder), code="erp_id_reserved")
    try:
        with transaction.atomic():
            _save(obj, doc.erp_id_field, actor=actor)
            ErpIdReservation.objects.update_or_create(
                identity=identity, defaults={"item_type": doc.item_type, "object_id": obj.pk, "erp_code": erp_id}
            )
    except IntegrityError:
        raise Conflict(
            f"{doc.erp_id_label} {erp_id} is already linked to another {doc.label}.", code="already_linked"
        ) from None
    audit.log(audit.linked(doc, obj, from_status, actor=actor, erp_id=erp_id, imported=imported, data=data))
    return obj

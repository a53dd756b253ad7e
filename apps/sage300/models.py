"""The embedded Sage 300 CRE company: tables named after Sage's ODBC tables, columns after Sage's columns.

Only this app's services write these tables, and only ``apps.sage300.connector`` reads them on
behalf of Trestle. Foreign keys to a job or vendor point at its *code* (``to_field``), so the
``Job`` and ``Vendor`` columns hold the code exactly as Sage's tables do; extras, cost codes and
categories are keyed by row because their codes are only unique within their parent.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from apps.core.money import MONEY_DIGITS, MONEY_PLACES
from apps.sage300.limits import (
    CATEGORY_FIELDS,
    COST_CODE_FIELDS,
    EXTRA_FIELDS,
    JOB_FIELDS,
    VENDOR_FIELDS,
    VENDOR_INSURANCE_FIELDS,
)

ZERO = Decimal("0.00")


def MoneyField(verbose_name: str | None = None, **kwargs) -> models.DecimalField:  # noqa: N802 - reads as a field type
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose_name, max_digits=MONEY_DIGITS, decimal_places=MONEY_PLACES, **kwargs)


def UnitsField(verbose_name: str | None = None, **kwargs) -> models.DecimalField:  # noqa: N802
    # Sage's unit fields are 8.4 in import files; the column leaves room for totals.
    kwargs.setdefault("default", Decimal("0.0000"))
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=4, **kwargs)


class SageStamped(models.Model):
    """Sage stamps every master record; ``Date_Stamp`` moves on every change (incremental reads use it)."""

    created_at = models.DateTimeField("created", auto_now_add=True, db_column="Created_Stamp")
    date_stamp = models.DateTimeField("changed", auto_now=True, db_index=True, db_column="Date_Stamp")

    class Meta:
        abstract = True


# --- The company and its simulator settings ------------------------------------------------


class SageCompany(models.Model):
    """The one Sage company (data folder) this simulator holds, and its fault-injection dials.

    The dials live in the database, not in settings, so that every worker process sees a
    change made in the admin or by a soak test at once.
    """

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID, editable=False)
    company_name = models.CharField(max_length=50, default="Trestle Construction (embedded)", db_column="Company_Name")
    sage_version = models.CharField(max_length=10, default="24.1", db_column="Sage_Version")
    hourly_request_limit = models.PositiveIntegerField(
        default=5000,
        db_column="Hourly_Request_Limit",
        # R212
        help_text="API requests allowed per clock hour before Sage answers with the rate-limit error.",
    )
    fault_failure_rate = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.000"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        db_column="Fault_Failure_Rate",
        help_text="Share of API requests that fail with a transient timeout (0 = never, 1 = always).",
    )
    fault_after_commit_share = models.DecimalField(
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.000"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        db_column="Fault_After_Commit_Share",
        help_text="Share of injected failures that happen after the write committed: the caller sees an "
        "error although Sage has the record.",
    )
    fault_slow_ms = models.PositiveIntegerField(
        default=0, db_column="Fault_Slow_Ms", help_text="Delay added to every API request, in milliseconds."
    )
    fault_seed = models.BigIntegerField(
        null=True,
        blank=True,
        db_column="Fault_Seed",
        help_text="Set to make the injected faults repeatable; empty for random faults.",
    )

    class Meta:
        db_table = "SAGE_COMPANY"
        verbose_name = "Sage company"
        verbose_name_plural = "Sage company"
        constraints = [
            models.CheckConstraint(condition=Q(id=1), name="sage300_company_singleton"),
            models.CheckConstraint(
                condition=Q(fault_failure_rate__gte=0, fault_failure_rate__lte=1), name="sage300_fault_rate_range"
            ),
            models.CheckConstraint(
                condition=Q(fault_after_commit_share__gte=0, fault_after_commit_share__lte=1),
                name="sage300_fault_after_commit_share_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.company_name} (Sage 300 CRE {self.sage_version})"


# --- Job Cost: standard lists ---------------------------------------------------------------


class StandardCostCode(SageStamped):
    cost_code = models.CharField(max_length=COST_CODE_FIELDS["cost_code"].max_length, unique=True, db_column="Cost_Code")
    description = models.CharField(max_length=COST_CODE_FIELDS["description"].max_length, blank=True, db_column="Description")
    group_cost_code = models.BooleanField(
        default=False, db_column="Group_Cost_Code", help_text="Summary code (last section all zeros, e.g. 01-000)."
    )

    class Meta:
        db_table = "JCM_MASTER__STANDARD_COST_CODE"
        ordering = ["cost_code"]
        verbose_name = "standard cost code"

    def __str__(self) -> str:
        return f"{self.cost_code} – {self.description}"


class AccumulateAs(models.TextChoices):
    LABOR = "Labor", "Labor"
    MATERIAL = "Material", "Material"
    SUBCONTRACT = "Subcontract", "Subcontract"
    EQUIPMENT = "Equipment", "Equipment"
    OTHER = "Other", "Other"


class StandardCategory(SageStamped):
    category = models.CharField(max_length=CATEGORY_FIELDS["category"].max_length, unique=True, db_column="Category")
    description = models.CharField(max_length=CATEGORY_FIELDS["description"].max_length, blank=True, db_column="Description")
    accumulate_as = models.CharField(
        max_length=12, choices=AccumulateAs.choices, default=AccumulateAs.OTHER, db_column="Accumulate_As"
    )

    class Meta:
        db_table = "JCM_MASTER__STANDARD_CATEGORY"
        ordering = ["category"]
        verbose_name = "standard category"
        verbose_name_plural = "standard categories"

    def __str__(self) -> str:
        return f"{self.category} – {self.description}"


# --- Job Cost: jobs, extras, cost codes, categories ------------------------------------------


class JobStatus(models.TextChoices):
    UNSTARTED = "Unstarted", "Unstarted"
    IN_PROGRESS = "In Progress", "In Progress"
    CLOSED = "Closed", "Closed"


class BillingMethod(models.TextChoices):
    CONTRACTS = "Contracts", "Contracts"
    QUICKBILL = "Quickbill", "Quickbill"


class BillingLevel(models.TextChoices):
    JOB = "Job", "Job"
    DIVISION = "Division", "Division"
    SECTION = "Section", "Section"


class Job(SageStamped):
    job = models.CharField(max_length=JOB_FIELDS["job"].max_length, unique=True, db_column="Job")
    normalized_job = models.CharField(
        max_length=JOB_FIELDS["job"].max_length,
        unique=True,
        editable=False,
        db_column="Normalized_Job",
        help_text="The job id without punctuation, upper case: Sage refuses a second job with the same code.",
    )
    description = models.CharField("job name", max_length=JOB_FIELDS["description"].max_length, db_column="Description")
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.UNSTARTED, db_column="Status")
    address_1 = models.CharField(max_length=JOB_FIELDS["address_1"].max_length, blank=True, db_column="Address_1")
    address_2 = models.CharField(max_length=JOB_FIELDS["address_2"].max_length, blank=True, db_column="Address_2")
    city = models.CharField(max_length=JOB_FIELDS["city"].max_length, blank=True, db_column="City")
    state = models.CharField(max_length=JOB_FIELDS["state"].max_length, blank=True, db_column="State")
    zip_code = models.CharField("ZIP code", max_length=JOB_FIELDS["zip_code"].max_length, blank=True, db_column="ZIP_Code")
    billing_method = models.CharField(
        max_length=10, choices=BillingMethod.choices, default=BillingMethod.CONTRACTS, db_column="Billing_Method"
    )
    billing_level = models.CharField(
        max_length=10,
        choices=BillingLevel.choices,
        blank=True,
        db_column="Billing_Level",
        help_text="Only for Quickbill jobs.",
    )
    uses_extras = models.BooleanField(default=False, db_column="Extras")
    original_contract_amount = MoneyField(db_column="Original_Contract_Amount")

    class Meta:
        db_table = "JCM_MASTER__JOB"
        ordering = ["job"]
        indexes = [models.Index(fields=["status"], name="sage300_job_status")]

    def __str__(self) -> str:
        return f"{self.job} – {self.description}"

    @property
    def is_closed(self) -> bool:
        return self.status == JobStatus.CLOSED


class Extra(SageStamped):
    job = models.ForeignKey(Job, on_delete=models.PROTECT, to_field="job", db_column="Job", related_name="extras")
    extra = models.CharField(max_length=EXTRA_FIELDS["extra"].max_length, db_column="Extra")
    description = models.CharField(max_length=EXTRA_FIELDS["description"].max_length, blank=True, db_column="Description")

    class Meta:
        db_table = "JCM_MASTER__EXTRA"
        ordering = ["job_id", "extra"]
        constraints = [models.UniqueConstraint(fields=["job", "extra"], name="sage300_extra_unique")]

    def __str__(self) -> str:
        return f"{self.job_id}/{self.extra} – {self.description}"


class CostCode(SageStamped):
    """A cost code on a job (or on one of its extras)."""

    job = models.ForeignKey(Job, on_delete=models.PROTECT, to_field="job", db_column="Job", related_name="cost_codes")
    extra = models.ForeignKey(
        Extra, on_delete=models.PROTECT, null=True, blank=True, db_column="Extra_Row_ID", related_name="cost_codes"
    )
    cost_code = models.CharField(max_length=COST_CODE_FIELDS["cost_code"].max_length, db_column="Cost_Code")
    description = models.CharField(max_length=COST_CODE_FIELDS["description"].max_length, blank=True, db_column="Description")
    group_cost_code = models.BooleanField(default=False, db_column="Group_Cost_Code")

    class Meta:
        db_table = "JCM_MASTER__COST_CODE"
        ordering = ["job_id", "extra_id", "cost_code"]
        constraints = [
            # Sage keys cost codes by (Job, Extra, Cost_Code); NULL extras are never equal in SQL,
            # so the job-level codes need their own constraint.
            models.UniqueConstraint(
                fields=["job", "extra", "cost_code"],
                condition=Q(extra__isnull=False),
                name="sage300_cost_code_unique_on_extra",
            ),
            models.UniqueConstraint(
                fields=["job", "cost_code"], condition=Q(extra__isnull=True), name="sage300_cost_code_unique_on_job"
            ),
        ]

    def __str__(self) -> str:
        where = f"{self.job_id}/{self.extra.extra}" if self.extra_id else self.job_id
        return f"{where} {self.cost_code} – {self.description}"


class Category(SageStamped):
    """A category on a job cost code: where the job's estimate (budget) lives."""

    cost_code = models.ForeignKey(CostCode, on_delete=models.PROTECT, db_column="Cost_Code_Row_ID", related_name="categories")
    category = models.CharField(max_length=CATEGORY_FIELDS["category"].max_length, db_column="Category")
    description = models.CharField(max_length=CATEGORY_FIELDS["description"].max_length, blank=True, db_column="Description")
    original_estimate = MoneyField(db_column="Original_Estimate")
    original_estimate_units = UnitsField(db_column="Original_Estimate_Units")
    approved_estimate_changes = MoneyField(db_column="Approved_Estimate_Changes")
    approved_est_unit_changes = UnitsField(db_column="Approved_Est_Unit_Changes")
    # Kept equal to Original_Estimate + Approved_Estimate_Changes by posting (a constraint holds it).
    total_estimate = MoneyField(db_column="Total_Estimate")
    # Misc worksheet 1 and 2 totals ("Msc cat amt 1/2", Setup > Categories > MW and Custom Total).
    msc_cat_amt_1 = MoneyField("Msc cat amt 1", db_column="Msc_Cat_Amt_1")
    msc_cat_amt_2 = MoneyField("Msc cat amt 2", db_column="Msc_Cat_Amt_2")
    cost_unit_description = models.CharField(
        max_length=CATEGORY_FIELDS["cost_unit_description"].max_length, blank=True, db_column="Cost_Unit_Description"
    )

    class Meta:
        db_table = "JCM_MASTER__CATEGORY"
        ordering = ["cost_code_id", "category"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["cost_code", "category"], name="sage300_category_unique"),
            models.CheckConstraint(
                condition=Q(total_estimate=models.F("original_estimate") + models.F("approved_estimate_changes")),
                name="sage300_category_total_estimate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cost_code.cost_code} {self.category} – {self.description}"

    def save(self, *args, **kwargs):
        self.total_estimate = self.original_estimate + self.approved_estimate_changes
        super().save(*args, **kwargs)


# --- Job Cost: transactions, the unposted batch and posting ----------------------------------


class TransactionType(models.TextChoices):
    """Sage's JC transaction types, stored abbreviated to 20 characters as Sage stores them.

    Estimate and misc worksheet types are written by Trestle's exports and applied to the category
    when their batch is posted; the cost and commitment types are for the documents that follow.
    """

    ORIGINAL_ESTIMATE = "Original estimate", "Original estimate"
    APPROVED_ESTIMATE_CHANGE = "Aprvd Estimate Chng", "Approved estimate change"
    MISC_WORKSHEET_1 = "Misc worksheet 1", "Misc worksheet 1"
    MISC_WORKSHEET_2 = "Misc worksheet 2", "Misc worksheet 2"
    ORIGINAL_COMMITMENT = "Original commitment", "Original commitment"
    APPROVED_COMMITMENT_CHANGE = "Aprvd Cmmtt Cst Chng", "Approved commitment cost change"
    AP_COST = "AP cost", "AP cost"
    PR_COST = "PR cost", "PR cost"
    EQ_COST = "EQ cost", "EQ cost"
    IV_COST = "IV cost", "IV cost"
    JC_COST = "JC cost", "JC cost"
    SM_COST = "SM cost", "SM cost"


# The types posting knows how to apply to the category's totals.
ESTIMATE_TYPES = (TransactionType.ORIGINAL_ESTIMATE, TransactionType.APPROVED_ESTIMATE_CHANGE)
MISC_WORKSHEET_TYPES = (TransactionType.MISC_WORKSHEET_1, TransactionType.MISC_WORKSHEET_2)


class WorksheetAction(models.TextChoices):
    """A misc worksheet entry adds to the category's amount or replaces it (the JCTMW Action column)."""

    ADD = "Add", "Add"
    REPLACE = "Replace", "Replace"


class BatchStatus(models.TextChoices):
    UNPOSTED = "Unposted", "Unposted"
    POSTED = "Posted", "Posted"


class JCBatch(models.Model):
    """A batch of JC entries (Sage's new.jct): imports and API writes add to the one unposted batch;
    "Post Entries" posts it and the next write starts a new one."""

    batch = models.PositiveIntegerField(unique=True, db_column="Batch")
    status = models.CharField(max_length=8, choices=BatchStatus.choices, default=BatchStatus.UNPOSTED,
                              db_column="Status")
    created_at = models.DateTimeField("created", auto_now_add=True, db_column="Created_Stamp")
    posted_at = models.DateTimeField("posted", null=True, blank=True, db_column="Posted_Date")

    class Meta:
        db_table = "JCT_NEW__BATCH"
        ordering = ["-batch"]
        verbose_name = "JC batch"
        verbose_name_plural = "JC batches"
        constraints = [
            # Sage keeps one current (unposted) JC batch per company.
            models.UniqueConstraint(fields=["status"], condition=Q(status="Unposted"), name="sage300_one_unposted_batch"),
            models.CheckConstraint(
                condition=Q(status="Unposted", posted_at__isnull=True) | Q(status="Posted", posted_at__isnull=False),
                name="sage300_batch_posted_date",
            ),
        ]

    def __str__(self) -> str:
        return f"JC batch {self.batch} ({self.status.lower()})"

    @property
    def is_posted(self) -> bool:
        return self.status == BatchStatus.POSTED


class JCTransaction(models.Model):
    """One JC entry (``JCT_CURRENT__TRANSACTION``), unposted until its batch is posted.

    Coded by Sage's codes (Job, Extra, Cost_Code, Category) rather than by row, as Sage's file is:
    a category removed from the job after entry makes posting refuse the entry, not the delete.
    ``Ref_1`` carries the writer's reference; Trestle stamps its export's reference there, which is
    how a write is found again (``Sage300Connector.find_written``).
    """

    row_id = models.BigAutoField(primary_key=True, db_column="Row_ID")
    transaction_type = models.CharField(max_length=20, choices=TransactionType.choices, db_column="Transaction_Type")
    application_of_origin = models.CharField(max_length=2, default="JC", db_column="Application_of_Origin")
    batch = models.ForeignKey(JCBatch, on_delete=models.PROTECT, to_field="batch", db_column="Batch",
                              related_name="transactions")
    job = models.ForeignKey(Job, on_delete=models.PROTECT, to_field="job", db_column="Job", related_name="transactions")
    extra = models.CharField(max_length=EXTRA_FIELDS["extra"].max_length, blank=True, db_column="Extra")
    cost_code = models.CharField(max_length=COST_CODE_FIELDS["cost_code"].max_length, db_column="Cost_Code")
    category = models.CharField(max_length=CATEGORY_FIELDS["category"].max_length, db_column="Category")
    amount = MoneyField(db_column="Amount")
    units = UnitsField(db_column="Units")
    action = models.CharField(max_length=7, choices=WorksheetAction.choices, default=WorksheetAction.ADD,
                              db_column="Action")
    accounting_date = models.DateField(db_column="Accounting_Date")
    transaction_date = models.DateField(db_column="Transaction_Date")
    description = models.CharField(max_length=30, blank=True, db_column="Description")
    ref_1 = models.CharField("reference", max_length=60, blank=True, db_index=True, db_column="Ref_1")
    chg_mgt_ref_1 = models.CharField("change reference", max_length=30, blank=True, db_column="Chg_Mgt_Ref_1")
    posted = models.BooleanField(default=False, db_column="Posted")
    posted_at = models.DateTimeField("posted", null=True, blank=True, db_column="Posted_Date")
    date_stamp = models.DateTimeField("changed", auto_now=True, db_column="Date_Stamp")

    class Meta:
        db_table = "JCT_CURRENT__TRANSACTION"
        ordering = ["row_id"]
        verbose_name = "JC transaction"
        indexes = [
            models.Index(fields=["job", "ref_1"], name="sage300_jct_job_ref"),
            models.Index(fields=["transaction_type", "posted"], name="sage300_jct_type_posted"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(posted=False, posted_at__isnull=True) | Q(posted=True, posted_at__isnull=False),
                name="sage300_jct_posted_date",
            ),
        ]

    def __str__(self) -> str:
        where = "/".join(part for part in (self.job_id, self.extra) if part)
        return f"{self.row_id} {self.get_transaction_type_display()} {where} {self.cost_code} {self.category}"


# --- Accounts Payable: vendors and their insurance -------------------------------------------


class VendorType(models.TextChoices):
    """Sage's four vendor types, with the labels this company gave them in Custom Descriptions."""

    SUBCONTRACTOR = "Subcontractor", "Subcontractor"
    SUPPLIER = "Supplier", "Supplier"
    SERVICE_PROVIDER = "Service provider", "Service provider"
    OTHER = "Other", "Other"


class Vendor(SageStamped):
    vendor = models.CharField(max_length=VENDOR_FIELDS["vendor"].max_length, unique=True, db_column="Vendor")
    name = models.CharField(max_length=VENDOR_FIELDS["name"].max_length, db_column="Name")
    vendor_type = models.CharField(
        "type", max_length=20, choices=VendorType.choices, default=VendorType.SUBCONTRACTOR, db_column="Type"
    )
    inactive = models.BooleanField(default=False, db_column="Inactive")
    address_1 = models.CharField(max_length=VENDOR_FIELDS["address_1"].max_length, blank=True, db_column="Address_1")
    address_2 = models.CharField(max_length=VENDOR_FIELDS["address_2"].max_length, blank=True, db_column="Address_2")
    city = models.CharField(max_length=VENDOR_FIELDS["city"].max_length, blank=True, db_column="City")
    state = models.CharField(max_length=VENDOR_FIELDS["state"].max_length, blank=True, db_column="State")
    zip_code = models.CharField("ZIP", max_length=VENDOR_FIELDS["zip_code"].max_length, blank=True, db_column="ZIP")
    telephone = models.CharField(max_length=VENDOR_FIELDS["telephone"].max_length, blank=True, db_column="Telephone")
    fax_number = models.CharField(max_length=VENDOR_FIELDS["fax_number"].max_length, blank=True, db_column="Fax_Number")

    class Meta:
        db_table = "APM_MASTER__VENDOR"
        ordering = ["vendor"]
        indexes = [
            models.Index(fields=["inactive"], name="sage300_vendor_inactive"),
            models.Index(fields=["name"], name="sage300_vendor_name"),
        ]

    def __str__(self) -> str:
        return f"{self.vendor} – {self.name}"


class InsuranceType(models.TextChoices):
    """Sage's default insurance types, the only ones the hub imports (R63)."""

    GENERAL_LIABILITY = "General Liability", "General Liability"
    AUTOMOBILE = "Automobile", "Automobile"
    UMBRELLA = "Umbrella", "Umbrella"
    WORKERS = "Worker's", "Worker's"


class VendorInsurance(SageStamped):
    vendor = models.ForeignKey(
        Vendor, on_delete=models.CASCADE, to_field="vendor", db_column="Vendor", related_name="insurance"
    )
    insurance_type = models.CharField(max_length=20, choices=InsuranceType.choices, db_column="Insurance_Type")
    policy_number = models.CharField(
        max_length=VENDOR_INSURANCE_FIELDS["policy_number"].max_length, blank=True, db_column="Policy_Number"
    )
    insurance_company = models.CharField(
        max_length=VENDOR_INSURANCE_FIELDS["insurance_company"].max_length, blank=True, db_column="Insurance_Company"
    )
    limit = MoneyField(db_column="Limit")
    effective_date = models.DateField(null=True, blank=True, db_column="Effective_Date")
    expiration_date = models.DateField(null=True, blank=True, db_column="Expiration_Date")

    class Meta:
        db_table = "APM_MASTER__VENDOR_INSURANCE"
        ordering = ["vendor_id", "insurance_type"]
        verbose_name = "vendor insurance"
        verbose_name_plural = "vendor insurance"
        constraints = [models.UniqueConstraint(fields=["vendor", "insurance_type"], name="sage300_vendor_insurance_unique")]

    def __str__(self) -> str:
        return f"{self.vendor_id} {self.insurance_type}"


# --- General Ledger periods -----------------------------------------------------------------


class PeriodStatus(models.TextChoices):
    OPEN = "Open", "Open"
    CLOSED = "Closed", "Closed"


class GLPeriod(models.Model):
    fiscal_year = models.PositiveSmallIntegerField(db_column="Fiscal_Year")
    period = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(12)], db_column="Period"
    )
    start_date = models.DateField(db_column="Start_Date")
    end_date = models.DateField(db_column="End_Date")
    status = models.CharField(max_length=6, choices=PeriodStatus.choices, default=PeriodStatus.OPEN, db_column="Status")

    class Meta:
        db_table = "GLM_MASTER__PERIOD"
        ordering = ["fiscal_year", "period"]
        verbose_name = "GL period"
        constraints = [
            models.UniqueConstraint(fields=["fiscal_year", "period"], name="sage300_gl_period_unique"),
            models.CheckConstraint(condition=Q(period__gte=1, period__lte=12), name="sage300_gl_period_range"),
            models.CheckConstraint(condition=Q(start_date__lte=models.F("end_date")), name="sage300_gl_period_dates"),
        ]
        indexes = [models.Index(fields=["start_date", "end_date"], name="sage300_gl_period_dates_idx")]

    def __str__(self) -> str:
        return f"{self.fiscal_year}-{self.period:02d}"

    @property
    def is_closed(self) -> bool:
        return self.status == PeriodStatus.CLOSED

    def contains(self, day: datetime.date) -> bool:
        return self.start_date <= day <= self.end_date


# --- The API bridge's own bookkeeping ---------------------------------------------------------


class SageApiUsage(models.Model):
    """Requests counted per clock hour, for the hourly request limit (R212).

    Each worker process counts into its own shard row, so that no single row is updated by every
    request of every worker; the hour's total is the sum of its shards.
    """

    hour_start = models.DateTimeField(db_column="Hour_Start")
    shard = models.PositiveSmallIntegerField(default=0, db_column="Shard")
    request_count = models.PositiveIntegerField(default=0, db_column="Request_Count")

    class Meta:
        db_table = "SAGE_API__USAGE"
        ordering = ["-hour_start", "shard"]
        verbose_name = "API usage per hour"
        verbose_name_plural = "API usage per hour"
        constraints = [models.UniqueConstraint(fields=["hour_start", "shard"], name="sage300_usage_hour_shard")]

    def __str__(self) -> str:
        return f"{self.hour_start:%Y-%m-%d %H:00} (shard {self.shard}): {self.request_count} requests"

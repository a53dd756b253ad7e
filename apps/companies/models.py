"""The company directory. A company linked to a Sage AP vendor carries its ERP Company ID."""

from __future__ import annotations

from django.db import models
from simple_history.models import HistoricalRecords

from apps.core.models import TimeStampedModel
from apps.erp.lifecycle import ErpExportable


class VendorType(models.TextChoices):
    """Sage 300 CRE's four AP vendor types (a company's type is one of them, or not set)."""

    SUBCONTRACTOR = "Subcontractor", "Subcontractor"
    SUPPLIER = "Supplier", "Supplier"
    SERVICE_PROVIDER = "Service provider", "Service provider"
    OTHER = "Other", "Other"

    @classmethod
    def matching(cls, value: object) -> str:
        """The vendor type ``value`` names, ignoring case and spaces ("supplier " is Supplier); "" if none."""
        wanted = " ".join(str(value or "").split()).lower()
        return next((choice for choice in cls.values if choice.lower() == wanted), "")


VENDOR_TYPE_CHOICE_MESSAGE = (
    "%(value)s is not a Sage 300 CRE vendor type. Choose Subcontractor, Supplier, Service provider or Other."
)


class Company(ErpExportable, TimeStampedModel):
    name = models.CharField(max_length=255, db_index=True)
    address = models.CharField(max_length=255, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=50, blank=True)
    zip = models.CharField("ZIP", max_length=20, blank=True)
    business_phone = models.CharField(max_length=40, blank=True)
    business_fax = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    erp_company_id = models.CharField(
        "ERP Company ID",
        max_length=20,
        null=True,
        blank=True,
        unique=True,
        # R59, R265
        help_text="The Sage AP vendor ID this company is linked to.",
    )
    erp_vendor_type = models.CharField(
        "ERP vendor type",
        max_length=30,
        blank=True,
        choices=VendorType.choices,
        error_messages={"invalid_choice": VENDOR_TYPE_CHOICE_MESSAGE},
        help_text="The vendor's type in Sage 300 CRE, used when the company is sent to Sage.",
    )
    erp_inactive = models.BooleanField(  # R61, R200
        "inactive in ERP", default=False, help_text="The linked Sage vendor is marked Inactive."
    )
    is_archived = models.BooleanField(default=False, db_index=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"
        permissions = [("import_company", "Can import companies from CSV/XLSX")]

    def __str__(self) -> str:
        return self.name


class CompanyInsurance(TimeStampedModel):
    """One policy per Sage default insurance type (R63, DECISIONS A15)."""

    class InsuranceType(models.TextChoices):
        GENERAL_LIABILITY = "general_liability", "General Liability"
        AUTOMOBILE = "automobile", "Automobile"
        UMBRELLA = "umbrella", "Umbrella"
        WORKERS = "workers", "Worker's Insurance"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="insurances")
    insurance_type = models.CharField(max_length=30, choices=InsuranceType.choices)
    policy_number = models.CharField(max_length=50, blank=True)
    insurance_provider = models.CharField(max_length=100, blank=True)
    limit_amount = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    effective_date = models.DateField(null=True, blank=True)
    expiration_date = models.DateField(null=True, blank=True)
    imported_from_erp = models.BooleanField(default=False, help_text="Imported from Sage; locked in Trestle.")

    class Meta:
        ordering = ["company", "insurance_type"]
        verbose_name_plural = "company insurance"
        constraints = [
            models.UniqueConstraint(fields=["company", "insurance_type"], name="companies_one_policy_per_type"),
        ]

    def __str__(self) -> str:
        return f"{self.company} – {self.get_insurance_type_display()}"

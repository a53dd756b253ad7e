"""Every write to the embedded Sage 300 CRE.

Each public service is one request to Sage (``faults.sage_call``: hourly request limit and
injected faults), runs in one transaction on the ``sage`` database, checks everything before
writing anything, and changes nothing when it raises ``SageError``. Services take Sage's own
codes (job id, vendor id, cost code), as a request to Sage's API does.
"""

from apps.sage300.company import get_company, sage_company_configure
from apps.sage300.services.common import UNCHANGED, assert_job_writable, assert_vendor_active
from apps.sage300.services.cost_structure import (
    CostCodesAdded,
    extra_create,
    extra_delete,
    job_add_cost_codes,
    job_category_delete,
    job_cost_code_delete,
    validate_extra_create,
    validate_extra_delete,
    validate_job_add_cost_codes,
    validate_job_category_delete,
    validate_job_cost_code_delete,
)
from apps.sage300.services.entries import (
    BatchPosted,
    EntriesAdded,
    JcEntry,
    jc_batch_post,
    jc_entries_add,
    validate_jc_batch_post,
    validate_jc_entries,
)
from apps.sage300.services.jobs import (
    job_close,
    job_delete,
    job_import,
    job_import_many,
    job_reopen,
    job_set_status,
    job_update,
    validate_job_delete,
    validate_job_import,
    validate_job_update,
)
from apps.sage300.services.periods import gl_period_close, gl_period_open, gl_periods_ensure, validate_fiscal_year
from apps.sage300.services.standards import (
    standard_category_create,
    standard_category_update,
    standard_cost_code_create,
    standard_cost_code_update,
    validate_standard_category,
    validate_standard_cost_code,
)
from apps.sage300.services.vendors import (
    validate_vendor_create,
    validate_vendor_insurance,
    validate_vendor_update,
    vendor_activate,
    vendor_create,
    vendor_create_many,
    vendor_inactivate,
    vendor_insurance_remove,
    vendor_insurance_set,
    vendor_update,
)

__all__ = [
    "UNCHANGED",
    "BatchPosted",
    "EntriesAdded",
    "JcEntry",
    "jc_batch_post",
    "jc_entries_add",
    "validate_jc_batch_post",
    "validate_jc_entries",
    "CostCodesAdded",
    "assert_job_writable",
    "assert_vendor_active",
    "extra_create",
    "extra_delete",
    "get_company",
    "gl_period_close",
    "gl_period_open",
    "gl_periods_ensure",
    "job_add_cost_codes",
    "job_category_delete",
    "job_close",
    "job_cost_code_delete",
    "job_delete",
    "job_import",
    "job_import_many",
    "job_reopen",
    "job_set_status",
    "job_update",
    "sage_company_configure",
    "standard_category_create",
    "standard_category_update",
    "standard_cost_code_create",
    "standard_cost_code_update",
    "validate_extra_create",
    "validate_extra_delete",
    "validate_job_add_cost_codes",
    "validate_job_category_delete",
    "validate_job_cost_code_delete",
    "validate_job_delete",
    "validate_job_import",
    "validate_fiscal_year",
    "validate_job_update",
    "validate_standard_category",
    "validate_standard_cost_code",
    "validate_vendor_create",
    "validate_vendor_insurance",
    "validate_vendor_update",
    "vendor_activate",
    "vendor_create",
    "vendor_create_many",
    "vendor_inactivate",
    "vendor_insurance_remove",
    "vendor_insurance_set",
    "vendor_update",
]

"""Demo Sage 300 CRE company for a North Texas / Oklahoma general contractor.

Plain, frozen data only: no Django imports and no database access. Loaders elsewhere
turn these records into Sage rows (the embedded demo Sage) and Trestle hub rows.

Conventions
-----------
* Amounts and unit quantities are Decimal *strings* with two places ("125000.00").
* Dates are ``datetime.date``.
* Every value respects the Sage 300 CRE field limits in ``apps.sage300.connector``
  (vendor id 10, names/descriptions/addresses 30, city 15, ZIP 10, job 12, extra 10,
  unit description 6), except ``HUB_PROJECTS[1].city``, which is deliberately too long.
* Telephone and fax numbers use the fictional 555-01xx range only.

Run ``validate()`` to check all of the above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

# --------------------------------------------------------------------------------------
# Shapes
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoVendor:
    vendor_id: str
    name: str
    vendor_type: str  # "Subcontractor" | "Supplier" | "Equipment Rental" | "Service"
    address: str
    city: str
    state: str
    zip: str
    telephone: str
    fax: str  # may be "" (no fax line)
    inactive: bool = False


@dataclass(frozen=True)
class DemoHubCompany:
    name: str
    address: str
    city: str
    state: str
    zip: str
    business_phone: str


@dataclass(frozen=True)
class DemoInsurance:
    vendor_id: str
    insurance_type: str  # "General Liability" | "Automobile" | "Umbrella" | "Worker's"
    policy_number: str
    insurance_company: str
    limit: str  # Decimal string
    effective_date: date
    expiration_date: date


@dataclass(frozen=True)
class DemoExtra:
    extra: str
    description: str


@dataclass(frozen=True)
class DemoEstimate:
    category: str  # one of the STANDARD_CATEGORIES codes
    original_estimate: str  # Decimal string, dollars
    original_estimate_units: str  # Decimal string, quantity
    unit_description: str  # e.g. "HRS", "CY", "SF", "LS"; "" when units are 0


@dataclass(frozen=True)
class DemoJobCostCode:
    extra: str  # "" or one of the job's extras
    code: str
    description: str
    categories: tuple[DemoEstimate, ...]


@dataclass(frozen=True)
class DemoJob:
    job_id: str
    name: str
    address: str
    city: str
    state: str
    zip: str
    status: str  # "In progress" | "Unstarted"
    billing_method: str  # "Contracts" | "Quickbill"
    billing_level: str  # "Job" | "Division" | "Section" when Quickbill, else ""
    extras: tuple[DemoExtra, ...]
    cost_codes: tuple[DemoJobCostCode, ...]


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    email: str
    role: str  # "company_admin" | "accounting_approver" | "project_manager" | "read_only"


@dataclass(frozen=True)
class DemoProject:
    number: str
    name: str
    address: str
    city: str
    state: str
    zip: str


# --------------------------------------------------------------------------------------
# Company
# --------------------------------------------------------------------------------------

COMPANY_NAME = "Trestle Demo Builders"
FISCAL_YEAR = 2026

# --------------------------------------------------------------------------------------
# Categories and the standard (CSI MasterFormat-style) cost code list
# --------------------------------------------------------------------------------------

STANDARD_CATEGORIES: tuple[tuple[str, str, str], ...] = (
    ("L", "Labor", "Labor"),
    ("M", "Material", "Material"),
    ("S", "Subcontract", "Subcontract"),
    ("E", "Equipment", "Equipment"),
    ("O", "Other", "Other"),
)

# (code, description, default_categories). "-000" codes are division summary codes.
STANDARD_COST_CODES: tuple[tuple[str, str, str], ...] = (
    # 01 General Requirements
    ("01-000", "General Requirements", ""),
    ("01-100", "Supervision", "LO"),
    ("01-110", "Project Management", "LO"),
    ("01-120", "Project Engineering", "L"),
    ("01-310", "Permits & Fees", "O"),
    ("01-410", "Testing & Inspection", "SO"),
    ("01-510", "Temporary Utilities", "MSO"),
    ("01-520", "Temporary Field Office", "MEO"),
    ("01-530", "Temporary Fencing", "MS"),
    ("01-540", "Construction Aids & Hoists", "ES"),
    ("01-590", "Survey & Layout", "LS"),
    ("01-720", "Waste Disposal", "SO"),
    ("01-740", "Final Cleaning", "LS"),
    # 02 Existing Conditions
    ("02-000", "Existing Conditions", ""),
    ("02-320", "Geotechnical Investigation", "S"),
    ("02-410", "Demolition", "LSE"),
    # 03 Concrete
    ("03-000", "Concrete", ""),
    ("03-100", "Concrete Forming", "LME"),
    ("03-200", "Concrete Reinforcing", "MS"),
    ("03-300", "Cast-in-Place Concrete", "LMSE"),
    ("03-400", "Precast Concrete", "S"),
    ("03-470", "Tilt-Up Concrete", "LMSE"),
    # 04 Masonry
    ("04-000", "Masonry", ""),
    ("04-200", "Unit Masonry", "MS"),
    # 05 Metals
    ("05-000", "Metals", ""),
    ("05-100", "Structural Steel", "MS"),
    ("05-210", "Steel Joists", "MS"),
    ("05-300", "Metal Decking", "S"),
    ("05-400", "Cold-Formed Metal Framing", "S"),
    ("05-500", "Metal Fabrications", "MS"),
    # 06 Wood & Plastics
    ("06-000", "Wood & Plastics", ""),
    ("06-100", "Rough Carpentry", "LM"),
    ("06-400", "Architectural Woodwork", "S"),
    # 07 Thermal & Moisture Protection
    ("07-000", "Thermal & Moisture", ""),
    ("07-100", "Dampproofing & Waterproofing", "S"),
    ("07-210", "Building Insulation", "MS"),
    ("07-500", "Membrane Roofing", "S"),
    ("07-600", "Flashing & Sheet Metal", "S"),
    ("07-920", "Joint Sealants", "S"),
    # 08 Openings
    ("08-000", "Openings", ""),
    ("08-110", "Hollow Metal Doors & Frames", "MS"),
    ("08-140", "Wood Doors", "M"),
    ("08-330", "Coiling Doors", "S"),
    ("08-410", "Entrances & Storefronts", "S"),
    ("08-710", "Door Hardware", "LM"),
    ("08-800", "Glazing", "S"),
    # 09 Finishes
    ("09-000", "Finishes", ""),
    ("09-250", "Gypsum Board", "S"),
    ("09-300", "Tiling", "S"),
    ("09-510", "Acoustical Ceilings", "S"),
    ("09-650", "Resilient Flooring", "S"),
    ("09-680", "Carpeting", "S"),
    ("09-900", "Painting & Coating", "S"),
    # 10 Specialties
    ("10-000", "Specialties", ""),
    ("10-140", "Signage", "S"),
    ("10-210", "Toilet Compartments", "MS"),
    ("10-280", "Toilet Accessories", "LM"),
    # 11 Equipment
    ("11-000", "Equipment", ""),
    ("11-130", "Loading Dock Equipment", "S"),
    ("11-700", "Healthcare Equipment", "S"),
    # 12 Furnishings
    ("12-000", "Furnishings", ""),
    ("12-210", "Window Blinds", "S"),
    # 14 Conveying Equipment
    ("14-000", "Conveying", ""),
    ("14-210", "Electric Traction Elevators", "S"),
    ("14-240", "Hydraulic Elevators", "S"),
    # 21 Fire Suppression
    ("21-000", "Fire Suppression", ""),
    ("21-100", "Fire Sprinkler Systems", "S"),
    # 22 Plumbing
    ("22-000", "Plumbing", ""),
    ("22-100", "Plumbing Piping", "S"),
    ("22-400", "Plumbing Fixtures", "MS"),
    ("22-600", "Medical Gas Systems", "S"),
    # 23 HVAC
    ("23-000", "HVAC", ""),
    ("23-050", "Test, Adjust & Balance", "S"),
    ("23-090", "HVAC Controls", "S"),
    ("23-300", "HVAC Air Distribution", "S"),
    ("23-700", "Central HVAC Equipment", "S"),
    ("23-800", "Decentralized HVAC Equipment", "S"),
    # 26 Electrical
    ("26-000", "Electrical", ""),
    ("26-200", "Electrical Distribution", "S"),
    ("26-500", "Interior Lighting", "MS"),
    ("26-560", "Exterior Lighting", "S"),
    # 27 Communications
    ("27-000", "Communications", ""),
    ("27-100", "Structured Cabling", "S"),
    # 28 Electronic Safety & Security
    ("28-000", "Safety & Security", ""),
    ("28-100", "Access Control", "S"),
    ("28-200", "Video Surveillance", "S"),
    ("28-310", "Fire Detection & Alarm", "S"),
    # 31 Earthwork
    ("31-000", "Earthwork", ""),
    ("31-100", "Site Clearing", "LSE"),
    ("31-230", "Excavation & Fill", "LSE"),
    ("31-250", "Erosion Controls", "MS"),
    ("31-320", "Soil Stabilization", "SE"),
    ("31-630", "Drilled Piers", "S"),
    # 32 Exterior Improvements
    ("32-000", "Exterior Improvements", ""),
    ("32-120", "Asphalt Paving", "S"),
    ("32-130", "Concrete Paving", "LMS"),
    ("32-160", "Curbs, Gutters & Sidewalks", "S"),
    ("32-170", "Paving Specialties", "S"),
    ("32-310", "Fences & Gates", "S"),
    ("32-900", "Landscaping", "S"),
    # 33 Utilities
    ("33-000", "Utilities", ""),
    ("33-100", "Water Utilities", "S"),
    ("33-300", "Sanitary Sewerage", "S"),
    ("33-400", "Storm Drainage", "S"),
)

# --------------------------------------------------------------------------------------
# AP vendors
# --------------------------------------------------------------------------------------

_V = DemoVendor
_SUB, _SUP, _RENT, _SVC = "Subcontractor", "Supplier", "Equipment Rental", "Service"

VENDORS: tuple[DemoVendor, ...] = (
    # Concrete / masonry / metals
    _V("ACECON", "Ace Concrete Contractors, LLC", _SUB, "4820 Singleton Blvd", "Dallas", "TX", "75212", "(214) 555-0101", "(214) 555-0102"),
    _V("LSREADYMIX", "Lone Star Ready Mix, Inc.", _SUP, "2300 Irving Blvd", "Irving", "TX", "75061-2214", "(972) 555-0103", "(972) 555-0104"),
    _V("TXREBAR", "Texas Rebar & Supply", _SUP, "1715 Great Southwest Pkwy", "Arlington", "TX", "76011", "(817) 555-0105", "(817) 555-0106"),
    _V("HCPRECAST", "Hill Country Precast", _SUB, "901 N Interstate 35", "Denton", "TX", "76207", "(940) 555-0107", "(940) 555-0108"),
    _V("CORNERMAS", "Cornerstone Masonry Co.", _SUB, "3350 Forest Ln", "Garland", "TX", "75042", "(972) 555-0109", "(972) 555-0110"),
    _V("REDRIVSTL", "Red River Steel Erectors", _SUB, "6200 Blue Mound Rd", "Fort Worth", "TX", "76106", "(817) 555-0111", "(817) 555-0112"),
    _V("METROFAB", "Metro Metal Fabricators", _SUB, "1120 Kingsley Rd", "Garland", "TX", "75041", "(972) 555-0113", ""),
    # Carpentry / envelope / openings
    _V("CROSSTIM", "Cross Timbers Lumber Co.", _SUP, "2150 Shady Oaks Dr", "Denton", "TX", "76205", "(940) 555-0114", "(940) 555-0115"),
    _V("CIMARRON", "Cimarron Millwork", _SUB, "1800 E Kenosha St", "Broken Arrow", "OK", "74012", "(918) 555-0116", "(918) 555-0117"),
    _V("TEJASWP", "Tejas Waterproofing, Inc.", _SUB, "7410 Harry Hines Blvd", "Dallas", "TX", "75235", "(214) 555-0118", ""),
    _V("PANHANDLE", "Panhandle Insulation Co.", _SUB, "415 E Main St", "Norman", "OK", "73069", "(405) 555-0119", "(405) 555-0120"),
    _V("SOONERRF", "Sooner Roofing & Sheet Metal", _SUB, "5601 S Memorial Dr", "Tulsa", "OK", "74145", "(918) 555-0121", "(918) 555-0122"),
    _V("CLEARVIEW", "ClearView Glass & Glazing", _SUB, "2901 K Ave", "Plano", "TX", "75074", "(972) 555-0123", "(972) 555-0124"),
    _V("FRONTIER", "Frontier Doors & Hardware", _SUP, "1333 Valley View Ln", "Irving", "TX", "75061", "(972) 555-0125", "(972) 555-0126"),
    # Finishes / specialties
    _V("SUMMITDRY", "Summit Drywall & Acoustics", _SUB, "1450 Jupiter Rd", "Plano", "TX", "75074-7812", "(972) 555-0127", "(972) 555-0128"),
    _V("LONGHORNFR", "Longhorn Framing & Drywall", _SUB, "920 Collins St", "Arlington", "TX", "76010", "(817) 555-0129", "(817) 555-0130", inactive=True),
    _V("PECOSTILE", "Pecos Tile & Stone", _SUB, "8800 Preston Rd", "Frisco", "TX", "75034", "(469) 555-0131", ""),
    _V("HERITAGEFL", "Heritage Flooring Group", _SUB, "2250 W Walnut Hill Ln", "Irving", "TX", "75038", "(972) 555-0132", "(972) 555-0133"),
    _V("BLUEBONNET", "Bluebonnet Painting Co.", _SUB, "406 Industrial Blvd", "McKinney", "TX", "75069", "(972) 555-0134", "(972) 555-0135"),
    _V("SIGSPEC", "Signature Specialties, LLC", _SUB, "3100 Research Dr", "Frisco", "TX", "75033", "(469) 555-0136", "(469) 555-0137"),
    _V("BRAZOSSIGN", "Brazos Signs & Graphics", _SUB, "517 Hemphill St", "Fort Worth", "TX", "76104", "(817) 555-0138", ""),
    _V("APEXELEV", "Apex Elevator Company", _SUB, "10810 Stemmons Fwy", "Dallas", "TX", "75220", "(214) 555-0139", "(214) 555-0140"),
    # MEP and low voltage
    _V("DFWFIRE", "DFW Fire Protection, LLC", _SUB, "1420 Commerce St", "Fort Worth", "TX", "76102", "(817) 555-0141", "(817) 555-0142"),
    _V("PRAIRIEPLB", "Prairie Plumbing Co.", _SUB, "2741 Shiloh Rd", "Garland", "TX", "75041", "(972) 555-0143", "(972) 555-0144"),
    _V("NTXMECH", "North Texas Mechanical, LP", _SUB, "4300 Belt Line Rd", "Irving", "TX", "75038", "(972) 555-0145", "(972) 555-0146"),
    _V("ARROWCTRL", "Arrow Building Controls", _SUB, "1105 S Elm Pl", "Broken Arrow", "OK", "74012", "(918) 555-0147", ""),
    _V("BRIGHTELEC", "Brightline Electric, Inc.", _SUB, "2600 Eldorado Pkwy", "McKinney", "TX", "75070", "(972) 555-0148", "(972) 555-0149"),
    _V("MPXELECSUP", "Metroplex Electrical Supply", _SUP, "8120 Hampton Rd", "Dallas", "TX", "75232", "(214) 555-0150", "(214) 555-0151"),
    _V("PANTHERSUP", "Panther City Plumbing Supply", _SUP, "3825 Vickery Blvd", "Fort Worth", "TX", "76107", "(817) 555-0152", "(817) 555-0153"),
    _V("ALLIEDLV", "Allied Low Voltage, Inc.", _SUB, "711 Plano Pkwy", "Plano", "TX", "75075", "(469) 555-0154", ""),
    _V("SENTINEL", "Sentinel Security Systems", _SUB, "2020 Mockingbird Ln", "Dallas", "TX", "75235", "(214) 555-0155", "(214) 555-0156"),
    _V("GUARDFA", "Guardian Fire Alarm, LLC", _SUB, "5130 W 21st St", "Tulsa", "OK", "74107", "(918) 555-0157", "(918) 555-0158"),
    # Sitework
    _V("LSDEMO", "Lone Star Demolition", _SUB, "3901 Irving Blvd", "Dallas", "TX", "75247", "(214) 555-0159", "(214) 555-0160"),
    _V("TRINITYEW", "Trinity Earthworks, Inc.", _SUB, "7700 White Settlement Rd", "Fort Worth", "TX", "76108", "(817) 555-0161", "(817) 555-0162"),
    _V("REDDIRT", "Red Dirt Drilling, Inc.", _SUB, "4400 SW 29th St", "Oklahoma City", "OK", "73119", "(405) 555-0163", "(405) 555-0164"),
    _V("METROPAVE", "Metroplex Paving Co.", _SUB, "1600 Airport Dr", "McKinney", "TX", "75069", "(972) 555-0165", "(972) 555-0166"),
    _V("CHISHOLM", "Chisholm Trail Utilities", _SUB, "2525 Loop 288", "Denton", "TX", "76209", "(940) 555-0167", "(940) 555-0168"),
    _V("STOCKFENCE", "Stockyards Fence Co.", _SUB, "210 NE 28th St", "Fort Worth", "TX", "76164", "(817) 555-0169", ""),
    _V("CANYONCRK", "Canyon Creek Landscaping", _SUB, "1901 Alameda St", "Norman", "OK", "73071", "(405) 555-0170", "(405) 555-0171"),
    # Equipment rental
    _V("BIGTEXRENT", "Big Tex Equipment Rental", _RENT, "2101 E Division St", "Arlington", "TX", "76011", "(817) 555-0172", "(817) 555-0173"),
    _V("REDBUDCRAN", "Redbud Crane Service", _RENT, "3600 Charles Page Blvd", "Tulsa", "OK", "74127", "(918) 555-0174", "(918) 555-0175"),
    # Services
    _V("PRECSURV", "Precision Land Surveying", _SVC, "5900 Story Rd", "Irving", "TX", "75038", "(972) 555-0176", "(972) 555-0177"),
    _V("KEYTEST", "Keystone Testing Lab, Inc.", _SVC, "1230 W Main St", "Frisco", "TX", "75034", "(469) 555-0178", "(469) 555-0179"),
    _V("ROLLOFF", "Roll-Off Express Dumpsters", _SVC, "4700 Walnut Hill Ln", "Dallas", "TX", "75229", "(214) 555-0180", ""),
    _V("TIDYSITE", "Tidy Site Portable Toilets", _SVC, "845 N Mingo Rd", "Tulsa", "OK", "74116", "(918) 555-0181", "(918) 555-0182"),
)

# Hub-side directory entries that are NOT Sage vendors. The first three are near matches
# of Sage vendors (for "suggested matches"); the last three exist only in Trestle.
HUB_ONLY_COMPANIES: tuple[DemoHubCompany, ...] = (
    DemoHubCompany("Brightline Electric", "2600 Eldorado Parkway", "McKinney", "TX", "75070", "(972) 555-0148"),
    DemoHubCompany("Cornerstone Masonry Company", "3350 Forest Lane", "Garland", "TX", "75042", "(972) 555-0109"),
    DemoHubCompany("D.F.W. Fire Protection", "1420 Commerce Street", "Fort Worth", "TX", "76102", "(817) 555-0141"),
    DemoHubCompany("Eagle Scaffold & Hoist", "1340 W Euless Blvd", "Euless", "TX", "76040", "(817) 555-0183"),
    DemoHubCompany("Spotless Construction Clean", "612 N Central Expy", "Richardson", "TX", "75080", "(972) 555-0184"),
    DemoHubCompany("Balanced Air TAB Services", "9120 E 51st St", "Tulsa", "OK", "74145", "(918) 555-0185"),
)

# (hub company name, Sage vendor id) for the three near matches above.
NEAR_MATCH_PAIRS: tuple[tuple[str, str], ...] = (
    ("Brightline Electric", "BRIGHTELEC"),
    ("Cornerstone Masonry Company", "CORNERMAS"),
    ("D.F.W. Fire Protection", "DFWFIRE"),
)

# --------------------------------------------------------------------------------------
# Vendor insurance (one policy per vendor per type; today in the demo is late 2026)
# --------------------------------------------------------------------------------------

_I = DemoInsurance
_GL, _AUTO, _UMB, _WC = "General Liability", "Automobile", "Umbrella", "Worker's"

VENDOR_INSURANCE: tuple[DemoInsurance, ...] = (
    _I("ACECON", _GL, "GL-6K2294817-26", "Travelers", "2000000.00", date(2026, 3, 1), date(2027, 3, 1)),
    _I("ACECON", _AUTO, "BA-6K2294820-26", "Travelers", "1000000.00", date(2026, 3, 1), date(2027, 3, 1)),
    _I("ACECON", _WC, "TSF-0001482277", "Texas Mutual", "1000000.00", date(2026, 3, 1), date(2027, 3, 1)),
    _I("ACECON", _UMB, "CUP-6K2294833-26", "Travelers", "5000000.00", date(2026, 3, 1), date(2027, 3, 1)),
    _I("REDRIVSTL", _GL, "TB2-Z91-458213-016", "Liberty Mutual", "2000000.00", date(2026, 5, 15), date(2027, 5, 15)),
    _I("REDRIVSTL", _WC, "WC2-Z91-458213-026", "Liberty Mutual", "1000000.00", date(2026, 5, 15), date(2027, 5, 15)),
    _I("REDRIVSTL", _UMB, "TH7-Z91-458213-036", "Liberty Mutual", "10000000.00", date(2026, 5, 15), date(2027, 5, 15)),
    _I("BRIGHTELEC", _GL, "GLO 0195537-03", "Zurich", "1000000.00", date(2026, 1, 1), date(2027, 1, 1)),
    _I("BRIGHTELEC", _AUTO, "BAP 0195538-03", "Zurich", "1000000.00", date(2026, 1, 1), date(2027, 1, 1)),
    _I("BRIGHTELEC", _WC, "WC 0195539-03", "Zurich", "1000000.00", date(2026, 1, 1), date(2027, 1, 1)),
    _I("NTXMECH", _GL, "6081234567", "CNA", "2000000.00", date(2026, 7, 1), date(2027, 7, 1)),
    _I("NTXMECH", _AUTO, "6081234570", "CNA", "1000000.00", date(2026, 7, 1), date(2027, 7, 1)),
    _I("NTXMECH", _UMB, "6081234582", "CNA", "5000000.00", date(2026, 7, 1), date(2027, 7, 1)),
    _I("PRAIRIEPLB", _GL, "46 UEC DX4821", "Hartford", "1000000.00", date(2026, 2, 1), date(2027, 2, 1)),
    _I("PRAIRIEPLB", _WC, "46 WEC DX4822", "Hartford", "1000000.00", date(2026, 2, 1), date(2027, 2, 1)),
    _I("DFWFIRE", _GL, "GL-7Y8841902-26", "Travelers", "1000000.00", date(2026, 4, 1), date(2027, 4, 1)),
    # Expired: certificate never renewed in Sage.
    _I("DFWFIRE", _AUTO, "BA-7Y8841905-24", "Travelers", "1000000.00", date(2024, 4, 1), date(2025, 4, 1)),
    _I("SUMMITDRY", _GL, "TB2-C41-771902-025", "Liberty Mutual", "1000000.00", date(2026, 8, 1), date(2027, 8, 1)),
    _I("SUMMITDRY", _WC, "TSF-0001590314", "Texas Mutual", "1000000.00", date(2026, 8, 1), date(2027, 8, 1)),
    _I("CORNERMAS", _GL, "CPP 7724513", "Nationwide", "1000000.00", date(2026, 6, 1), date(2027, 6, 1)),
    # Expired: the masonry sub's workers' comp lapsed last year.
    _I("CORNERMAS", _WC, "TSF-0001377104", "Texas Mutual", "1000000.00", date(2024, 10, 1), date(2025, 10, 1)),
    _I("SOONERRF", _GL, "GL 5520918", "Markel", "2000000.00", date(2026, 9, 1), date(2027, 9, 1)),
    _I("SOONERRF", _WC, "WC-100488231", "CompSource Mutual", "1000000.00", date(2026, 9, 1), date(2027, 9, 1)),
    _I("CLEARVIEW", _GL, "3603-52-91", "Chubb", "1000000.00", date(2026, 11, 1), date(2027, 11, 1)),
    _I("TRINITYEW", _GL, "GLO 0214776-01", "Zurich", "2000000.00", date(2026, 1, 15), date(2027, 1, 15)),
    _I("TRINITYEW", _AUTO, "BAP 0214777-01", "Zurich", "2000000.00", date(2026, 1, 15), date(2027, 1, 15)),
    _I("TRINITYEW", _UMB, "AUC 0214778-01", "Zurich", "5000000.00", date(2026, 1, 15), date(2027, 1, 15)),
    _I("METROPAVE", _GL, "46 UEN KP9302", "Hartford", "1000000.00", date(2026, 10, 1), date(2027, 10, 1)),
    _I("METROPAVE", _AUTO, "46 UEN KP9303", "Hartford", "1000000.00", date(2026, 10, 1), date(2027, 10, 1)),
    _I("APEXELEV", _GL, "6092238841", "CNA", "2000000.00", date(2026, 2, 15), date(2027, 2, 15)),
    _I("APEXELEV", _WC, "6092238845", "CNA", "1000000.00", date(2026, 2, 15), date(2027, 2, 15)),
    _I("GUARDFA", _GL, "GL 5561207", "Markel", "1000000.00", date(2026, 4, 15), date(2027, 4, 15)),
    _I("BIGTEXRENT", _GL, "CO-4N3318904-26", "Travelers", "1000000.00", date(2026, 12, 1), date(2027, 12, 1)),
    _I("BIGTEXRENT", _AUTO, "BA-4N3318907-26", "Travelers", "1000000.00", date(2026, 12, 1), date(2027, 12, 1)),
    _I("KEYTEST", _GL, "TB2-C41-802215-016", "Liberty Mutual", "1000000.00", date(2026, 6, 15), date(2027, 6, 15)),
)

# --------------------------------------------------------------------------------------
# Jobs
# --------------------------------------------------------------------------------------

_STD_DESC = {code: desc for code, desc, _ in STANDARD_COST_CODES}


def _est(category: str, amount: str, units: str = "0.00", unit_description: str = "") -> DemoEstimate:
    return DemoEstimate(category, amount, units, unit_description)


def _cc(extra: str, code: str, *categories: DemoEstimate, description: str | None = None) -> DemoJobCostCode:
    return DemoJobCostCode(extra, code, description if description is not None else _STD_DESC[code], tuple(categories))


# The one project-specific cost code (not on the standard list), used on job 24-101 only.
PROJECT_SPECIFIC_COST_CODE = ("24-101", "01-990", "Owner Allowance")

_ELM = (  # 2-story, ~32,000 SF medical office building; steel frame, brick veneer.
    _cc("", "01-100", _est("L", "186000.00", "2080.00", "HRS"), _est("O", "24000.00", "12.00", "MO")),
    _cc("", "01-110", _est("L", "142000.00", "1560.00", "HRS"), _est("O", "6500.00")),
    _cc("", "01-310", _est("O", "38500.00", "1.00", "LS")),
    _cc("", "01-410", _est("S", "46000.00", "1.00", "LS")),
    _cc("", "01-510", _est("M", "8500.00"), _est("S", "21600.00", "12.00", "MO")),
    _cc("", "01-520", _est("E", "14400.00", "12.00", "MO"), _est("O", "9600.00")),
    _cc("", "01-720", _est("S", "38400.00", "64.00", "PULL")),
    _cc("", "01-740", _est("L", "6200.00", "160.00", "HRS"), _est("S", "18500.00", "32000.00", "SF")),
    _cc("", "01-990", _est("O", "150000.00", "1.00", "LS"), description="Owner Allowance"),
    _cc("", "02-410", _est("S", "42000.00", "1.00", "LS")),
    _cc("", "03-200", _est("S", "118000.00", "95.00", "TON")),
    _cc("", "03-300", _est("L", "168000.00", "3400.00", "HRS"), _est("M", "214000.00", "1450.00", "CY"),
        _est("S", "96000.00"), _est("E", "22000.00")),
    _cc("", "04-200", _est("S", "386000.00", "14200.00", "SF")),
    _cc("", "05-100", _est("S", "612000.00", "265.00", "TON")),
    _cc("", "07-500", _est("S", "268000.00", "17200.00", "SF")),
    _cc("", "08-410", _est("S", "324000.00", "1.00", "LS")),
    _cc("", "08-710", _est("L", "14000.00", "240.00", "HRS"), _est("M", "72000.00", "96.00", "EA")),
    _cc("", "09-250", _est("S", "488000.00", "96000.00", "SF")),
    _cc("", "09-510", _est("S", "124000.00", "26500.00", "SF")),
    _cc("", "09-650", _est("S", "96000.00", "18400.00", "SF")),
    _cc("", "09-900", _est("S", "118000.00", "1.00", "LS")),
    _cc("", "14-240", _est("S", "168000.00", "2.00", "EA")),
    _cc("", "21-100", _est("S", "142000.00", "32000.00", "SF")),
    _cc("", "22-100", _est("S", "512000.00", "1.00", "LS")),
    _cc("", "22-600", _est("S", "118000.00", "1.00", "LS")),
    _cc("", "23-700", _est("S", "845000.00", "1.00", "LS")),
    _cc("", "26-200", _est("S", "720000.00", "1.00", "LS")),
    _cc("", "28-310", _est("S", "78000.00", "32000.00", "SF")),
    _cc("", "31-230", _est("S", "148000.00", "8600.00", "CY")),
    _cc("", "32-120", _est("S", "164000.00", "5400.00", "SY")),
)

_FRISCO = (  # Two single-story retail shell buildings (~38,000 SF) with shared site.
    # General conditions
    _cc("GC", "01-100", _est("L", "224000.00", "2500.00", "HRS"), _est("O", "28000.00", "14.00", "MO")),
    _cc("GC", "01-110", _est("L", "118000.00", "1300.00", "HRS")),
    _cc("GC", "01-120", _est("L", "64000.00", "960.00", "HRS")),
    _cc("GC", "01-410", _est("S", "58000.00", "1.00", "LS")),
    _cc("GC", "01-510", _est("M", "12000.00"), _est("S", "25200.00", "14.00", "MO")),
    _cc("GC", "01-530", _est("S", "18500.00", "2400.00", "LF")),
    _cc("GC", "01-720", _est("S", "42000.00", "70.00", "PULL")),
    _cc("GC", "01-740", _est("S", "22800.00", "38000.00", "SF")),
    # Building shell & interiors
    _cc("BLDG", "03-300", _est("L", "212000.00", "4300.00", "HRS"), _est("M", "298000.00", "2050.00", "CY"),
        _est("S", "124000.00"), _est("E", "31000.00")),
    _cc("BLDG", "04-200", _est("S", "542000.00", "21500.00", "SF")),
    _cc("BLDG", "05-100", _est("S", "486000.00", "210.00", "TON")),
    _cc("BLDG", "05-300", _est("S", "168000.00", "38000.00", "SF")),
    _cc("BLDG", "06-100", _est("L", "46000.00", "880.00", "HRS"), _est("M", "38000.00", "1.00", "LS")),
    _cc("BLDG", "07-500", _est("S", "412000.00", "39500.00", "SF")),
    _cc("BLDG", "07-600", _est("S", "86000.00", "1.00", "LS")),
    _cc("BLDG", "08-410", _est("S", "468000.00", "1.00", "LS")),
    _cc("BLDG", "09-250", _est("S", "244000.00", "52000.00", "SF")),
    _cc("BLDG", "09-900", _est("S", "96000.00", "1.00", "LS")),
    _cc("BLDG", "21-100", _est("S", "158000.00", "38000.00", "SF")),
    _cc("BLDG", "22-100", _est("S", "286000.00", "1.00", "LS")),
    _cc("BLDG", "23-800", _est("S", "412000.00", "14.00", "EA")),
    _cc("BLDG", "26-200", _est("S", "624000.00", "1.00", "LS")),
    # Sitework & utilities
    _cc("SITE", "31-100", _est("S", "38000.00", "6.20", "AC")),
    _cc("SITE", "31-230", _est("L", "24000.00", "480.00", "HRS"), _est("S", "284000.00", "18500.00", "CY"),
        _est("E", "36000.00")),
    _cc("SITE", "32-120", _est("S", "612000.00", "21000.00", "SY")),
    _cc("SITE", "32-160", _est("S", "186000.00", "4200.00", "LF")),
    _cc("SITE", "32-900", _est("S", "142000.00", "1.00", "LS")),
    _cc("SITE", "33-100", _est("S", "168000.00", "1800.00", "LF")),
    _cc("SITE", "33-400", _est("S", "324000.00", "2600.00", "LF")),
)

_RIVERSIDE = (  # ~85,000 SF tilt-up distribution warehouse; alternate 1 adds concrete truck court.
    _cc("BASE", "01-100", _est("L", "168000.00", "1870.00", "HRS"), _est("O", "20000.00", "10.00", "MO")),
    _cc("BASE", "01-110", _est("L", "96000.00", "1060.00", "HRS")),
    _cc("BASE", "01-310", _est("O", "42000.00", "1.00", "LS")),
    _cc("BASE", "01-410", _est("S", "38000.00", "1.00", "LS")),
    _cc("BASE", "01-510", _est("M", "6000.00"), _est("S", "16000.00", "10.00", "MO")),
    _cc("BASE", "01-540", _est("E", "64000.00", "6.00", "WK"), _est("S", "48000.00", "1.00", "LS")),
    _cc("BASE", "01-590", _est("S", "24000.00", "1.00", "LS")),
    _cc("BASE", "03-200", _est("S", "164000.00", "142.00", "TON")),
    _cc("BASE", "03-300", _est("L", "148000.00", "3100.00", "HRS"), _est("M", "412000.00", "2900.00", "CY"),
        _est("E", "28000.00")),
    _cc("BASE", "03-470", _est("L", "184000.00", "3600.00", "HRS"), _est("M", "236000.00", "1650.00", "CY"),
        _est("S", "58000.00"), _est("E", "46000.00")),
    _cc("BASE", "05-210", _est("S", "286000.00", "85000.00", "SF")),
    _cc("BASE", "05-300", _est("S", "194000.00", "85000.00", "SF")),
    _cc("BASE", "07-500", _est("S", "468000.00", "86500.00", "SF")),
    _cc("BASE", "08-330", _est("S", "126000.00", "18.00", "EA")),
    _cc("BASE", "11-130", _est("S", "92000.00", "18.00", "EA")),
    _cc("BASE", "09-900", _est("S", "64000.00", "1.00", "LS")),
    _cc("BASE", "21-100", _est("S", "298000.00", "85000.00", "SF")),
    _cc("BASE", "22-100", _est("S", "112000.00", "1.00", "LS")),
    _cc("BASE", "23-800", _est("S", "148000.00", "6.00", "EA")),
    _cc("BASE", "26-200", _est("S", "386000.00", "1.00", "LS")),
    _cc("BASE", "26-500", _est("S", "124000.00", "85000.00", "SF")),
    _cc("BASE", "31-230", _est("S", "248000.00", "22000.00", "CY")),
    _cc("BASE", "31-250", _est("M", "6500.00"), _est("S", "14500.00", "1.00", "LS")),
    _cc("BASE", "32-120", _est("S", "236000.00", "8200.00", "SY")),
    _cc("BASE", "33-300", _est("S", "86000.00", "900.00", "LF")),
    _cc("BASE", "33-400", _est("S", "176000.00", "1400.00", "LF")),
    _cc("ALT1", "31-230", _est("S", "42000.00", "3800.00", "CY")),
    _cc("ALT1", "32-130", _est("L", "46000.00", "980.00", "HRS"), _est("M", "168000.00", "1150.00", "CY"),
        _est("S", "38000.00")),
    _cc("ALT1", "32-170", _est("S", "12500.00", "1.00", "LS")),
)

JOBS: tuple[DemoJob, ...] = (
    DemoJob(
        job_id="24-101",
        name="Elm Street Medical Office",
        address="2811 Elm St",
        city="Dallas",
        state="TX",
        zip="75226",
        status="In progress",
        billing_method="Contracts",
        billing_level="",
        extras=(),
        cost_codes=_ELM,
    ),
    DemoJob(
        job_id="25-104",
        name="Frisco Commons Retail Center",
        address="5400 Eldorado Pkwy",
        city="Frisco",
        state="TX",
        zip="75033",
        status="In progress",
        billing_method="Quickbill",
        billing_level="Division",
        extras=(
            DemoExtra("GC", "General Conditions"),
            DemoExtra("BLDG", "Buildings A & B Shell"),
            DemoExtra("SITE", "Sitework & Utilities"),
        ),
        cost_codes=_FRISCO,
    ),
    DemoJob(
        job_id="26-102",
        name="Riverside Distribution Center",
        address="6100 S 49th West Ave",
        city="Tulsa",
        state="OK",
        zip="74107-8830",
        status="Unstarted",
        billing_method="Quickbill",
        billing_level="Job",
        extras=(
            DemoExtra("BASE", "Base Bid"),
            DemoExtra("ALT1", "Alt 1 - Concrete Truck Court"),
        ),
        cost_codes=_RIVERSIDE,
    ),
)

# --------------------------------------------------------------------------------------
# General ledger: FY2026 periods are generated by code; only September 2026 is closed.
# --------------------------------------------------------------------------------------

CLOSED_GL_PERIODS: tuple[tuple[int, int], ...] = ((2026, 9),)

# --------------------------------------------------------------------------------------
# Trestle hub side
# --------------------------------------------------------------------------------------

HUB_USERS: tuple[DemoUser, ...] = (
    DemoUser("admin", "Dana", "Whitfield", "dana.whitfield@trestledemo.example", "company_admin"),
    DemoUser("approver", "Marcus", "Oyelaran", "marcus.oyelaran@trestledemo.example", "accounting_approver"),
    DemoUser("pm", "Priya", "Castellano", "priya.castellano@trestledemo.example", "project_manager"),
    DemoUser("viewer", "Tom", "Brannigan", "tom.brannigan@trestledemo.example", "read_only"),
)

# Projects that exist only in Trestle (not yet in Sage).
HUB_PROJECTS: tuple[DemoProject, ...] = (
    # Valid for export to Sage.
    DemoProject("26-105", "McKinney Fire Station No. 9", "2450 Collin McKinney Pkwy", "McKinney", "TX", "75070"),
    # City is 20 characters: Sage (AddressCity, 15) refuses it at export.
    DemoProject("26-106", "Iron Horse Trail Clinic", "6301 Boulevard 26", "North Richland Hills", "TX", "76180"),
)

# --------------------------------------------------------------------------------------
# Self-check
# --------------------------------------------------------------------------------------

_CODE_RE = re.compile(r"^(\d{2})-(\d{3})$")
_PHONE_RE = re.compile(r"^\(\d{3}\) 555-01\d{2}$")
_ZIP_RE = re.compile(r"^\d{5}(-\d{4})?$")
_STATE_RE = re.compile(r"^[A-Z]{2}$")
_VENDOR_ID_RE = re.compile(r"^[A-Z0-9]{1,10}$")
_AMOUNT_RE = re.compile(r"^\d+\.\d{2}$")

REQUIRED_DIVISIONS = (
    "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11",
    "12", "14", "21", "22", "23", "26", "27", "28", "31", "32", "33",
)
VENDOR_TYPES = ("Subcontractor", "Supplier", "Equipment Rental", "Service")
INSURANCE_TYPES = ("General Liability", "Automobile", "Umbrella", "Worker's")
JOB_STATUSES = ("In progress", "Unstarted")
ROLES = ("company_admin", "accounting_approver", "project_manager", "read_only")


def job_total(job: DemoJob) -> Decimal:
    """Sum of the job's original estimates."""
    return sum(
        (Decimal(est.original_estimate) for cc in job.cost_codes for est in cc.categories),
        Decimal("0.00"),
    )


def _normalize_company(name: str) -> str:
    name = name.lower().replace("&", " and ").replace(".", "").replace(",", " ")
    suffixes = {"inc", "llc", "lp", "ltd", "co", "company", "corp"}
    return " ".join(word for word in name.split() if word not in suffixes)


def _check_address(label: str, name: str, address: str, city: str, state: str, zip_code: str) -> None:
    assert 0 < len(name) <= 30, f"{label}: name {name!r} longer than 30"
    assert 0 < len(address) <= 30, f"{label}: address {address!r} longer than 30"
    assert 0 < len(city) <= 15, f"{label}: city {city!r} longer than 15"
    assert _STATE_RE.match(state), f"{label}: bad state {state!r}"
    assert _ZIP_RE.match(zip_code) and len(zip_code) <= 10, f"{label}: bad ZIP {zip_code!r}"


def validate() -> None:
    # Categories
    assert [c[0] for c in STANDARD_CATEGORIES] == ["L", "M", "S", "E", "O"]
    assert {c[2] for c in STANDARD_CATEGORIES} == {"Labor", "Material", "Subcontract", "Equipment", "Other"}
    for code, description, accumulate_as in STANDARD_CATEGORIES:
        assert len(code) <= 3 and len(description) <= 30
    category_codes = "".join(c[0] for c in STANDARD_CATEGORIES)

    # Standard cost codes
    codes = [c[0] for c in STANDARD_COST_CODES]
    assert len(codes) == len(set(codes)), "duplicate standard cost code"
    assert codes == sorted(codes), "standard cost codes not sorted"
    assert 80 <= len(codes) <= 110, f"{len(codes)} standard cost codes"
    divisions_seen = set()
    for code, description, default_categories in STANDARD_COST_CODES:
        match = _CODE_RE.match(code)
        assert match, f"cost code {code!r} is not sectioned NN-NNN"
        assert 0 < len(description) <= 30, f"{code}: description {description!r} longer than 30"
        divisions_seen.add(match.group(1))
        if match.group(2) == "000":
            assert default_categories == "", f"summary code {code} must have no categories"
        else:
            assert default_categories, f"{code} has no default categories"
            assert len(set(default_categories)) == len(default_categories)
            assert set(default_categories) <= set(category_codes), f"{code}: bad categories"
    assert divisions_seen == set(REQUIRED_DIVISIONS), sorted(divisions_seen ^ set(REQUIRED_DIVISIONS))
    for division in REQUIRED_DIVISIONS:
        assert f"{division}-000" in codes, f"division {division} has no summary code"
        assert any(c.startswith(f"{division}-") and not c.endswith("-000") for c in codes), division
    standard = {code: (description, cats) for code, description, cats in STANDARD_COST_CODES}

    # Vendors
    assert len(VENDORS) == 45, len(VENDORS)
    vendor_ids = [v.vendor_id for v in VENDORS]
    assert len(vendor_ids) == len(set(vendor_ids)), "duplicate vendor id"
    assert len({v.name for v in VENDORS}) == len(VENDORS), "duplicate vendor name"
    for v in VENDORS:
        assert _VENDOR_ID_RE.match(v.vendor_id), f"bad vendor id {v.vendor_id!r}"
        _check_address(v.vendor_id, v.name, v.address, v.city, v.state, v.zip)
        assert v.vendor_type in VENDOR_TYPES, v.vendor_type
        assert _PHONE_RE.match(v.telephone) and len(v.telephone) <= 20, f"{v.vendor_id}: telephone"
        assert v.fax == "" or (_PHONE_RE.match(v.fax) and len(v.fax) <= 20), f"{v.vendor_id}: fax"
        assert v.state in ("TX", "OK")
    assert sum(1 for v in VENDORS if v.inactive) == 1, "exactly one inactive vendor"
    assert set(VENDOR_TYPES) == {v.vendor_type for v in VENDORS}

    # Hub-only companies and near matches
    assert len(HUB_ONLY_COMPANIES) == 6
    vendor_names = {v.name for v in VENDORS}
    vendor_by_id = {v.vendor_id: v for v in VENDORS}
    hub_names = [c.name for c in HUB_ONLY_COMPANIES]
    assert len(set(hub_names)) == 6
    for c in HUB_ONLY_COMPANIES:
        _check_address(f"hub company {c.name}", c.name, c.address, c.city, c.state, c.zip)
        assert _PHONE_RE.match(c.business_phone), c.business_phone
        assert c.name not in vendor_names, f"{c.name} exactly matches a vendor"
    assert len(NEAR_MATCH_PAIRS) == 3
    near_names = set()
    for hub_name, vendor_id in NEAR_MATCH_PAIRS:
        assert hub_name in hub_names and vendor_id in vendor_by_id
        vendor = vendor_by_id[vendor_id]
        assert not vendor.inactive
        assert hub_name != vendor.name
        assert hub_name.lower() != vendor.name.lower()
        assert _normalize_company(hub_name) == _normalize_company(vendor.name), (hub_name, vendor.name)
        near_names.add(hub_name)
    vendor_norms = {_normalize_company(n) for n in vendor_names}
    for name in set(hub_names) - near_names:
        assert _normalize_company(name) not in vendor_norms, f"{name} unexpectedly near-matches a vendor"

    # Insurance
    insured = {i.vendor_id for i in VENDOR_INSURANCE}
    assert 12 <= len(insured) <= 18, len(insured)
    assert len({(i.vendor_id, i.insurance_type) for i in VENDOR_INSURANCE}) == len(VENDOR_INSURANCE), (
        "one policy per vendor per insurance type"
    )
    expired = 0
    for i in VENDOR_INSURANCE:
        assert i.vendor_id in vendor_by_id, i.vendor_id
        assert not vendor_by_id[i.vendor_id].inactive
        assert i.insurance_type in INSURANCE_TYPES, i.insurance_type
        assert 0 < len(i.policy_number) <= 20 and 0 < len(i.insurance_company) <= 30
        assert _AMOUNT_RE.match(i.limit) and Decimal(i.limit) > 0, i.limit
        assert isinstance(i.effective_date, date) and isinstance(i.expiration_date, date)
        assert i.effective_date < i.expiration_date
        if i.expiration_date.year == 2025:
            expired += 1
        else:
            assert 2026 <= i.effective_date.year and i.expiration_date.year <= 2027, i
    assert 1 <= expired <= 3, expired

    # Jobs
    assert len(JOBS) == 3
    assert len({j.job_id for j in JOBS}) == 3
    project_specific = []
    extras_counts = sorted(len(j.extras) for j in JOBS)
    assert extras_counts[0] == 0 and extras_counts[1] >= 2 and all(2 <= n <= 3 for n in extras_counts[1:])
    for job in JOBS:
        label = f"job {job.job_id}"
        assert 0 < len(job.job_id) <= 12, label
        _check_address(label, job.name, job.address, job.city, job.state, job.zip)
        assert job.status in JOB_STATUSES, job.status
        assert job.billing_method in ("Contracts", "Quickbill")
        if job.billing_method == "Quickbill":
            assert job.billing_level in ("Job", "Division", "Section"), job.billing_level
        else:
            assert job.billing_level == ""
        extra_ids = [e.extra for e in job.extras]
        assert len(extra_ids) == len(set(extra_ids))
        for e in job.extras:
            assert 0 < len(e.extra) <= 10 and 0 < len(e.description) <= 30, e
        assert 15 <= len(job.cost_codes) <= 30, f"{label}: {len(job.cost_codes)} cost codes"
        keys = [(cc.extra, cc.code) for cc in job.cost_codes]
        assert len(keys) == len(set(keys)), f"{label}: duplicate cost code"
        for cc in job.cost_codes:
            assert cc.extra == "" or cc.extra in extra_ids, f"{label}: unknown extra {cc.extra!r}"
            if job.extras:
                assert cc.extra, f"{label}: {cc.code} needs an extra"
            match = _CODE_RE.match(cc.code)
            assert match and match.group(2) != "000", f"{label}: {cc.code} not a sectioned detail code"
            assert 0 < len(cc.description) <= 30
            if cc.code in standard:
                std_description, allowed = standard[cc.code]
                assert cc.description == std_description, f"{label}: {cc.code} description"
            else:
                project_specific.append((job.job_id, cc.code, cc.description))
                allowed = category_codes
            assert cc.categories, f"{label}: {cc.code} has no estimates"
            cats = [e.category for e in cc.categories]
            assert len(cats) == len(set(cats)), f"{label}: {cc.code} repeats a category"
            for est in cc.categories:
                assert est.category in allowed, f"{label}: {cc.code} category {est.category}"
                assert _AMOUNT_RE.match(est.original_estimate) and Decimal(est.original_estimate) > 0
                assert _AMOUNT_RE.match(est.original_estimate_units)
                assert len(est.unit_description) <= 6
                if Decimal(est.original_estimate_units) > 0:
                    assert est.unit_description, f"{label}: {cc.code} units without a description"
                else:
                    assert est.unit_description == ""
        total = job_total(job)
        assert Decimal("2000000") <= total <= Decimal("12000000"), f"{label}: total {total}"
    assert project_specific == [PROJECT_SPECIFIC_COST_CODE], project_specific

    # GL
    assert CLOSED_GL_PERIODS == ((2026, 9),)

    # Users
    assert [u.username for u in HUB_USERS] == ["admin", "approver", "pm", "viewer"]
    assert [u.role for u in HUB_USERS] == list(ROLES)
    for u in HUB_USERS:
        assert u.first_name and u.last_name and "@" in u.email

    # Hub projects
    assert len(HUB_PROJECTS) == 2
    assert not {p.number for p in HUB_PROJECTS} & {j.job_id for j in JOBS}
    too_long = [p for p in HUB_PROJECTS if len(p.city) > 15]
    assert len(too_long) == 1 and len(too_long[0].city) >= 16
    for p in HUB_PROJECTS:
        assert 0 < len(p.number) <= 12 and 0 < len(p.name) <= 30 and len(p.address) <= 30
        assert _STATE_RE.match(p.state) and _ZIP_RE.match(p.zip)
    valid = [p for p in HUB_PROJECTS if p not in too_long][0]
    _check_address(f"hub project {valid.number}", valid.name, valid.address, valid.city, valid.state, valid.zip)


if __name__ == "__main__":
    validate()
    print("ok", len(STANDARD_COST_CODES), len(VENDORS))

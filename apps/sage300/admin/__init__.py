"""The "Sage 300 CRE" admin section: the embedded Sage's desktop, where a person plays the accountant."""

from apps.sage300.admin import company, entries, jobs, standards, vendors  # noqa: F401 - registers the admins

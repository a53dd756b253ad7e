"""The demo users and what each one shows off."""

from dataclasses import dataclass


@dataclass(frozen=True)
class DemoAccount:
    username: str
    first_name: str
    last_name: str
    description: str


DEMO_ACCOUNTS = (
    DemoAccount("admin", "Avery", "Admin", "company admin: templates, settings, imports, everything"),
    DemoAccount("approver", "Alex", "Approver", "accounting approver: accepts or rejects exports to Sage"),
    DemoAccount("pm", "Pat", "Manager", "project manager on the demo projects: sends items to ERP"),
    DemoAccount("viewer", "Vic", "Viewer", "read-only on the ERP tool and the demo projects"),
)

"""The admin home's "Start here" box and the friendly refusal page, in a browser (issue 8).

Before: the box's links wrapped one letter per line (the admin's dashboard styles give a module table's
header cell all the width and forbid its data cells to wrap); a refusal was a bare "403 Forbidden"."""

from __future__ import annotations

import pytest

from apps.access.models import Level
from tests.access.helpers import make_user


@pytest.mark.parametrize("width", [1280, 390])
def test_the_start_here_box_reads_on_a_wide_and_a_narrow_screen(page, log_in, screenshot, width):
    admin_user = make_user(company_admin=Level.ADMIN, erp=Level.ADMIN)
    page.set_viewport_size({"width": width, "height": 900})
    log_in(admin_user)

    page.goto("/admin/")
    screenshot(f"home-{width}")

    box = page.locator(".start-here")
    link = box.get_by_role("link", name="ERP Integrations")
    link_box = link.bounding_box()
    line_height = float(link.evaluate("e => parseFloat(getComputedStyle(e).lineHeight) || 18"))
    # The link's words sit on one line, and nothing in the box is wider than the screen.
    assert link_box["height"] < 2 * line_height + 4
    assert link_box["width"] > 80
    assert box.bounding_box()["width"] <= width
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    for text in ("Ready to Import, Ready to Export", "API documentation"):
        assert box.get_by_text(text, exact=False).first.is_visible()


def test_a_refusal_is_a_page_with_the_reason_and_a_way_home(page, log_in, screenshot):
    pm = make_user(erp=Level.STANDARD, directory=Level.STANDARD)
    log_in(pm)

    response = page.goto("/admin/sage300/")
    screenshot("sage-section-refused")

    assert response.status == 403
    assert page.get_by_role("heading", name="You don't have access to this page").is_visible()
    assert page.get_by_text("open to users with Admin on the Company Admin tool", exact=False).is_visible()
    page.get_by_role("link", name="Back to the Trestle home page").click()
    page.wait_for_url("**/admin/")
    assert page.locator("#site-name").inner_text() == "Trestle"

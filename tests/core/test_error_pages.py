"""Friendly 403 and 404 pages, and the Sage 300 CRE section's refusal (issue 8).

Before: a non-admin opening the Sage section got Django's debug 404 page, a refusal was a bare
"403 Forbidden" with no way back, and a form posted after the session expired a bare CSRF page."""

import pytest
from django.test import Client
from django.urls import reverse

from apps.access.models import Level
from tests.access.helpers import make_user

HOME = 'href="/admin/"'


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def pm():
    return make_user(erp=Level.STANDARD, directory=Level.STANDARD)


@pytest.mark.parametrize("url", ["/admin/sage300/", "/admin/sage300/job/", "/admin/sage300/vendor/add/",
                                 "/admin/sage300/sagecompany/"])
def test_the_sage_section_answers_a_non_admin_with_the_reason_and_a_way_back(pm, url):
    response = signed_in(pm).get(url)

    page = response.content.decode()
    assert response.status_code == 403
    assert "You don't have access to this page" in page
    assert "open to users with Admin on the Company Admin tool" in page
    assert HOME in page and "Back to the Trestle home page" in page
    assert "Page not found" not in page and "technical_404" not in page and "Traceback" not in page


def test_the_sage_section_still_opens_for_a_company_admin():
    admin_user = make_user(company_admin=Level.ADMIN)

    response = signed_in(admin_user).get("/admin/sage300/")

    assert response.status_code == 200
    assert "Sage 300 CRE" in response.content.decode()


def test_a_refusal_says_why_in_the_admins_look(db):
    nobody = make_user()

    response = signed_in(nobody).get(reverse("erp-integrations"))

    page = response.content.decode()
    assert response.status_code == 403
    assert "The ERP Integrations tool needs Read Only or above on ERP Integrations." in page
    assert 'id="site-name"' in page and "Trestle" in page and HOME in page
    assert page.strip() != "<h1>403 Forbidden</h1>"


def test_a_section_with_nothing_for_the_user_is_a_403_with_a_general_reason(pm):
    response = signed_in(pm).get("/admin/access/")

    assert response.status_code == 403
    assert "Ask a company admin to change your permission template" in response.content.decode()


def test_an_unknown_address_is_the_friendly_404_when_debug_is_off(settings, admin_client):
    settings.DEBUG = False

    response = admin_client.get("/no-such-page/")

    page = response.content.decode()
    assert response.status_code == 404
    assert "We couldn't find this page" in page and "/no-such-page/" in page
    assert "Back to the Trestle home page" in page


def test_a_form_sent_after_the_session_expired_says_what_to_do(db):
    client = Client(enforce_csrf_checks=True)

    response = client.post("/admin/login/", {"username": "x", "password": "y"})

    page = response.content.decode()
    assert response.status_code == 403
    assert "The form could not be sent" in page and "Nothing was saved" in page and HOME in page

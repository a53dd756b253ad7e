"""No requirement ids in text a person reads (issue 8).

Rule numbers (R30, P#18, DECISIONS A27) belong in tests, commits and code comments. Help texts, verbose
names, choices, messages, templates, admin pages and the OpenAPI docs (which carry view and serializer
docstrings and help texts) showed them to users.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.urls import NoReverseMatch, reverse

from apps.erp.errors import CATALOGUE
from apps.erp.selectors import tabs

ROOT = Path(__file__).resolve().parents[2]
# R30, R41–R43, (R59, R265), P#18, "DECISIONS A27", A27
RULE_ID = re.compile(r"\bR\d+\b|P#\s?\d+|\bDECISIONS\b|\bA\d{1,3}\b")
ONLY_AN_ID = re.compile(r"\s*(R\d+|P#\d+|A\d+|-)?([–,-]\s*(R\d+|P#\d+|A\d+))*\s*")


def rule_ids(text: object) -> list[str]:
    return RULE_ID.findall(str(text or ""))


def hub_models():
    return [model for model in django_apps.get_models() if model.__module__.startswith("apps.")]


def test_the_pattern_finds_the_ids_users_were_shown():
    assert rule_ids("The Sage AP vendor ID this company is linked to (R59, R265).") == ["R59", "R265"]
    assert rule_ids("needs Standard (P#18); see DECISIONS A27") == ["P#18", "DECISIONS", "A27"]
    assert rule_ids("Sage 300 CRE holds at most 4 characters for a state") == []


def test_model_verbose_names_help_texts_and_choices_name_no_rule():
    found = {}
    for model in hub_models():
        opts = model._meta
        texts = [opts.verbose_name, opts.verbose_name_plural, *(name for _, name in opts.permissions)]
        for field in opts.get_fields():
            texts += [getattr(field, "verbose_name", ""), getattr(field, "help_text", "")]
            texts += [label for _, label in (getattr(field, "flatchoices", None) or [])]
        for text in texts:
            if rule_ids(text):
                found.setdefault(opts.label, []).append(str(text))
    assert found == {}


def test_the_erp_error_catalogue_tells_users_no_rule():
    found = [(code, text) for code, entry in CATALOGUE.items()
             for text in (entry.message, entry.resolution) if rule_ids(text)]
    assert found == []


def test_the_openapi_docs_name_no_rule(admin_client):
    schema = admin_client.get("/api/schema/?format=json").content.decode()

    assert sorted(set(rule_ids(schema))) == []


def _not_shown(tree: ast.AST) -> set[int]:
    """Docstrings, and the provenance of Sage's messages (``source="seed L1002, R217"``, never displayed)."""
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
        if isinstance(node, ast.keyword) and node.arg == "source" and isinstance(node.value, ast.Constant):
            ids.add(id(node.value))
    return ids


def test_no_string_a_user_may_read_names_a_rule():
    """Every string literal in the apps (messages, labels, help texts, choices, action descriptions), except
    docstrings (their user-facing part, the OpenAPI docs, is checked above), bare ids kept as data (the error
    catalogue's rule column) and where a Sage message comes from."""
    found = []
    for path in sorted((ROOT / "apps").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(), filename=str(path))
        docstrings = _not_shown(tree)
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
                if rule_ids(node.value) and not ONLY_AN_ID.fullmatch(node.value):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:80]!r}")
    assert found == []


def _template_text(path: Path) -> str:
    text = path.read_text()
    text = re.sub(r"\{#.*?#\}", "", text, flags=re.S)
    text = re.sub(r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", "", text, flags=re.S)
    return re.sub(r"<!--.*?-->", "", text, flags=re.S)


def test_templates_name_no_rule():
    paths = [*(ROOT / "templates").rglob("*.html"), *(ROOT / "apps").rglob("templates/**/*.html")]
    found = {str(path.relative_to(ROOT)): rule_ids(_template_text(path)) for path in paths}
    assert {path: ids for path, ids in found.items() if ids} == {}


@pytest.fixture
def demo(db):
    from apps.demo.loader import seed_demo

    return seed_demo()


def _admin_urls(user) -> list[str]:
    request = type("R", (), {"user": user})()
    urls = ["/admin/", reverse("erp-integrations")]
    for tab in tabs():
        urls.append(f"{reverse('erp-integrations')}?tab={tab.key}")
        urls.extend(f"{reverse('erp-integrations')}?tab={tab.key}&view={view}" for view in tab.views)
    for model, model_admin in admin.site._registry.items():
        if not model_admin.has_view_permission(request):
            continue
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{name}_changelist"))
        try:
            if model_admin.has_add_permission(request):
                urls.append(reverse(f"{name}_add"))
        except NoReverseMatch:
            pass
        first = model_admin.get_queryset(type("R", (), {"user": user, "GET": {}, "resolver_match": None})()).first() \
            if hasattr(model_admin, "get_queryset") else None
        if first is not None:
            urls.append(reverse(f"{name}_change", args=[first.pk]))
    return urls


@pytest.mark.parametrize("username", ["admin", "pm"])
def test_admin_pages_show_no_rule(demo, client, username):
    user = get_user_model().objects.get(username=username)
    client.force_login(user)

    found = {}
    for url in _admin_urls(user):
        response = client.get(url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            page = re.sub(r"<script.*?</script>", "", response.content.decode(), flags=re.S)
            page = re.sub(r"\S*\*{3,}", "", page)  # a password's masked salt and hash ("R3******")
            ids = rule_ids(page)
            if ids:
                found[url] = sorted(set(ids))

    assert found == {}

from django.core.management import call_command


def test_schema_validates_without_warnings(tmp_path):
    # `spectacular --validate --fail-on-warn` exits non-zero (SystemExit) on any warning or error.
    out = tmp_path / "schema.yml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))

    text = out.read_text()
    assert "openapi: 3" in text
    assert "/api/v1/me/" in text
    assert "/api/v1/auth/token/" in text


def test_schema_is_served_to_a_signed_in_user(admin_client):
    response = admin_client.get("/api/schema/?format=json")

    assert response.status_code == 200
    assert "/api/v1/me/" in response.json()["paths"]

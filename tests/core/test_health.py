def test_healthz_reports_both_databases(client):
    # when
    response = client.get("/healthz")

    # then
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "databases": {"default": "ok", "sage": "ok"}}

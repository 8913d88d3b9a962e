"""End to end through a real Prefect server: `dangjian serve`, then runs created the way the UI creates them.

Catches what direct flow calls cannot: parameter schemas of deployed runs
(`date | None` with postponed annotations), frozen parameters, the source
choice, fail-fast parameter errors, artifacts, and rows landing in DuckDB.
"""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import duckdb
import httpx
import pytest

from prefect_server import (
    PrefectServer,
    ServedDeployments,
    flow_run_logs,
    shared_prefect_server,
    start_dangjian_serve,
    wait_for_flow_run,
)
from flows.deployments import ServeConfig, ServeConfigError, build_deployments
from samplesites import sources_toml
from samplesites.catalog import articles_on
from samplesites.server import serve_sample_sites
from samplesites.sitelist import SITES

SOURCE = "hongxing"
SINCE, UNTIL = date(2023, 1, 1), date(2024, 12, 31)
NIGHTLY_CRON = "30 3 1 1 *"


@pytest.fixture(scope="session")
def prefect_server(request, tmp_path_factory) -> PrefectServer:
    return shared_prefect_server(request, tmp_path_factory)


@pytest.fixture(scope="module")
def sample_sites():
    with serve_sample_sites() as sites:
        yield sites


@pytest.fixture(scope="module")
def served(prefect_server, sample_sites, tmp_path_factory) -> ServedDeployments:
    work = tmp_path_factory.mktemp("serve-api")
    sources = work / "sources.toml"
    sources.write_text(sources_toml(sample_sites.base_url), encoding="utf-8")
    # A yearly schedule the test never reaches, so no nightly run interferes; the default is tested below.
    served = start_dangjian_serve(prefect_server, work / "home", sources, work / "warehouse.duckdb",
                                  "--cron", NIGHTLY_CRON, "--timezone", "Asia/Shanghai")
    yield served
    served.stop()


@pytest.fixture(scope="module")
def client(prefect_server):
    with prefect_server.client() as client:
        yield client


def ui_run_body(deployment: dict, parameters: dict, *, validate: bool = True) -> dict:
    """The body the Prefect UI's custom-run form POSTs (captured from the UI of Prefect 3.8.8)."""
    return {
        "name": f"test-{time.monotonic_ns()}",
        "parameters": {**deployment["parameters"], **parameters},
        "tags": deployment.get("tags") or [],
        "state": {"type": "SCHEDULED", "message": "",
                  "state_details": {"scheduled_time": None, "cache_expiration": None}},
        "empirical_policy": {"retries": None, "retry_delay": None, "pause_keys": [], "resuming": False},
        "work_queue_name": None,
        "job_variables": {},
        "enforce_parameter_schema": validate,
    }


def create_run(client: httpx.Client, served: ServedDeployments, name: str, parameters: dict,
               *, validate: bool = True) -> httpx.Response:
    deployment_id = served.deployment_ids[name]
    deployment = client.get(f"/deployments/{deployment_id}").json()
    return client.post(f"/deployments/{deployment_id}/create_flow_run",
                       json=ui_run_body(deployment, parameters, validate=validate))


def run_to_end(client: httpx.Client, served: ServedDeployments, name: str, parameters: dict,
               *, validate: bool = True) -> dict:
    response = create_run(client, served, name, parameters, validate=validate)
    assert response.status_code == 201, response.text
    return wait_for_flow_run(client, response.json()["id"])


def artifacts(client: httpx.Client, flow_run_id: str) -> dict[str, dict]:
    found = client.post("/artifacts/filter", json={"artifacts": {"flow_run_id": {"any_": [flow_run_id]}}}).json()
    return {a["key"]: a for a in found}


def table_rows(artifact: dict) -> list[dict]:
    data = artifact["data"]
    return json.loads(data) if isinstance(data, str) else data


def query(warehouse: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def expected_urls(base_url: str, source: str, since: date, until: date) -> set[str]:
    return {a.copy_on(source).url(base_url) for a in articles_on(source) if since <= a.published_at.date() <= until}


def describe(client: httpx.Client, run: dict, served: ServedDeployments) -> str:
    return f"{run['state']}\n--- flow run logs\n{flow_run_logs(client, run['id'])}\n--- serve log\n{served.log()}"


# ---------------------------------------------------------------- the deployments as built and registered


def test_nightly_defaults_to_two_oclock_shanghai(tmp_path):
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml("http://127.0.0.1:9"), encoding="utf-8")
    nightly, backfill, reprocess = build_deployments(ServeConfig(sources, tmp_path / "w.duckdb"))
    (schedule,) = nightly.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == ("0 2 * * *", "Asia/Shanghai")
    assert (backfill.schedules, reprocess.schedules) == ([], [])


@pytest.mark.parametrize(("cron", "timezone", "says"), [
    ("0 2 * *", "Asia/Shanghai", "--cron"), ("0 2 * * *", "Asia/Beijing", "--timezone"),
])
def test_serve_refuses_a_bad_schedule_at_start(tmp_path, cron, timezone, says):
    sources = tmp_path / "sources.toml"
    sources.write_text(sources_toml("http://127.0.0.1:9"), encoding="utf-8")
    with pytest.raises(ServeConfigError, match=says):
        ServeConfig(sources, tmp_path / "w.duckdb", cron=cron, timezone=timezone).check()


def test_three_deployments_with_nightly_schedule_and_frozen_settings(client, served):
    nightly = client.get(f"/deployments/{served.deployment_ids['nightly']}").json()
    (schedule,) = [s["schedule"] for s in nightly["schedules"]]
    assert (schedule["cron"], schedule["timezone"]) == (NIGHTLY_CRON, "Asia/Shanghai")
    assert nightly["parameters"]["mode"] == "nightly"
    backfill = client.get(f"/deployments/{served.deployment_ids['backfill']}").json()
    assert backfill["schedules"] == []
    schema = backfill["parameter_openapi_schema"]["properties"]
    # The UI renders an array of enum strings as a multi-select of the configured sources.
    assert schema["sources"]["type"] == "array"
    assert schema["sources"]["items"]["enum"] == list(SITES)
    assert schema["warehouse_path"]["readOnly"] is True
    assert schema["warehouse_path"]["enum"] == [backfill["parameters"]["warehouse_path"]]
    for name in ("sources", "since", "until", "urls", "max_pages"):
        assert schema[name].get("description"), f"{name} has no description for the UI"


# ---------------------------------------------------------------- a backfill run, as the UI starts it


@pytest.fixture(scope="module")
def backfill_run(client, served, sample_sites) -> dict:
    run = run_to_end(client, served, "backfill",
                     {"sources": [SOURCE], "since": SINCE.isoformat(), "until": UNTIL.isoformat()})
    assert run["state"]["type"] == "COMPLETED", describe(client, run, served)
    return run


def warehouse_of(client, served) -> Path:
    deployment = client.get(f"/deployments/{served.deployment_ids['backfill']}").json()
    return Path(deployment["parameters"]["warehouse_path"])


def test_backfill_loads_the_source_articles_in_the_date_range(client, served, sample_sites, backfill_run):
    rows = query(warehouse_of(client, served), "SELECT url, source_name, published_at FROM articles")
    assert rows, "the backfill loaded no article"
    assert {source for _, source, _ in rows} == {SOURCE}
    for url, _, published in rows:
        assert published is not None and SINCE <= published.date() <= UNTIL, (url, published)
    expected = expected_urls(sample_sites.base_url, SOURCE, SINCE, UNTIL)
    assert expected <= {url for url, _, _ in rows}


def test_backfill_publishes_summary_and_failures_artifacts(client, backfill_run):
    found = artifacts(client, backfill_run["id"])
    summary = next(a for key, a in found.items() if key.endswith("summary"))
    assert summary["type"] == "table"
    (row,) = [r for r in table_rows(summary) if r["source"] == SOURCE]
    in_range = len([a for a in articles_on(SOURCE) if SINCE <= a.published_at.date() <= UNTIL])
    assert row["fetched"] >= in_range
    assert row["articles new"] + row["updated"] + row["unchanged"] >= in_range
    assert row["failed"] == 0
    failures = next(a for key, a in found.items() if key.endswith("failures"))
    assert failures["type"] == "markdown"
    assert "No URL failed" in failures["data"]


def test_backfill_run_is_recorded_in_the_warehouse(client, served, backfill_run):
    rows = query(warehouse_of(client, served), "SELECT flow, status FROM runs")
    assert ("ingest", "completed") in rows or ("backfill", "completed") in rows, rows


# ---------------------------------------------------------------- bad parameters fail fast, saying why


def test_unknown_source_is_rejected_when_the_run_is_created(client, served):
    response = create_run(client, served, "backfill", {"sources": ["nosuchsite"]})
    assert response.status_code in (409, 422), response.text
    assert "nosuchsite" in response.text


def test_max_pages_below_one_is_rejected_when_the_run_is_created(client, served):
    response = create_run(client, served, "backfill", {"max_pages": 0})
    assert response.status_code in (409, 422), response.text
    assert "max_pages" in response.text or "minimum" in response.text


@pytest.mark.parametrize(
    ("parameters", "says"),
    [
        ({"since": "2024-06-01", "until": "2024-01-01"}, ["since (2024-06-01) is after until (2024-01-01)"]),
        ({"sources": ["nosuchsite"]}, ["unknown source(s) nosuchsite"]),
        ({"urls": ["http://elsewhere.example/a/1.html"]}, ["urls:", "outside every configured source"]),
        ({"max_pages": 0}, ["max_pages must be at least 1"]),
    ],
    ids=["since-after-until", "unknown-source", "foreign-url", "max-pages-0"],
)
def test_bad_parameters_fail_the_run_before_any_fetch(client, served, sample_sites, parameters, says):
    """With schema validation off (the UI's checkbox), the flow itself refuses, naming the parameter."""
    sample_sites.clear_log()
    run = run_to_end(client, served, "backfill", parameters, validate=False)
    assert run["state"]["type"] == "FAILED", describe(client, run, served)
    message = run["state"]["message"] + flow_run_logs(client, run["id"])
    for text in says:
        assert text in message, message
    assert sample_sites.request_log == []


# ---------------------------------------------------------------- reprocess: re-clean without fetching


def test_reprocess_recleans_archived_pages_without_fetching(client, served, sample_sites, backfill_run):
    warehouse = warehouse_of(client, served)
    before = query(warehouse, "SELECT url, content_hash FROM articles ORDER BY url")
    sample_sites.clear_log()
    run = run_to_end(client, served, "reprocess", {"sources": [SOURCE]})
    assert run["state"]["type"] == "COMPLETED", describe(client, run, served)
    assert sample_sites.request_log == [], "reprocess fetched pages"
    found = artifacts(client, run["id"])
    (row,) = [r for r in table_rows(found["reprocess-summary"]) if r["source"] == SOURCE]
    assert row["fetched"] >= len(before)  # archived pages re-read
    assert row["unchanged"] == len(before) and row["articles new"] == 0
    assert query(warehouse, "SELECT url, content_hash FROM articles ORDER BY url") == before
    assert "reprocess-failures" in found

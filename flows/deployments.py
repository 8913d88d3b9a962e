"""The three deployments `dangjian serve` registers and serves: nightly, backfill, reprocess.

The sources file and the warehouse are fixed when the server process starts
(frozen parameters: shown read-only in the UI), so a run started from the UI
cannot point at a file the serving machine does not have. The source names
are only known then too, so the `sources` parameter's schema is given their
names as an enum there, which the UI renders as a multi-select.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from prefect import deploy as prefect_deploy
from prefect import serve
from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.schedules import Cron
from prefect.utilities.annotations import freeze

from extract.sources import SourceProfile, load_sources
from flows.backfill import backfill
from flows.ingest import ingest
from flows.reprocess import reprocess

DEFAULT_CRON = "0 2 * * *"
DEFAULT_TIMEZONE = "Asia/Shanghai"
TAGS = ["dangjian"]


class ServeConfigError(ValueError):
    """`dangjian serve` cannot start with these settings; the message says which and why."""


@dataclass(frozen=True)
class ServeConfig:
    """Everything the served deployments need from the machine that serves them."""

    sources_file: Path
    warehouse_path: Path
    cron: str = DEFAULT_CRON
    timezone: str = DEFAULT_TIMEZONE

    def profiles(self) -> list[SourceProfile]:
        return load_sources(self.sources_file)

    def check(self) -> None:
        """Fail at start-up, not at 02:00, on a bad sources file, cron or timezone."""
        self.profiles()
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ServeConfigError(f"--timezone: {self.timezone!r} is not an IANA time zone (e.g. Asia/Shanghai)") from None
        try:
            CronSchedule(cron=self.cron, timezone=self.timezone)
        except ValidationError:
            raise ServeConfigError(f"--cron: {self.cron!r} is not a cron expression (e.g. '0 2 * * *')") from None

    def fixed_parameters(self) -> dict[str, object]:
        return {
            "sources_file": freeze(str(self.sources_file.resolve())),
            "warehouse_path": freeze(str(self.warehouse_path.resolve())),
        }


def _without_null_choice(prop: dict) -> None:
    """Turn an optional parameter's `anyOf [X, null]` into plain X, in place.

    The UI renders `anyOf` as a toggle between X and "None" that has to be
    clicked before the field can be filled; a plain X field left empty is
    simply not sent, and the flow's default (None) applies.
    """
    options = [o for o in prop.get("anyOf", []) if o.get("type") != "null"]
    if len(options) == 1 and len(prop["anyOf"]) == 2:
        del prop["anyOf"]
        prop.update(options[0])
        if prop.get("default", ...) is None:
            del prop["default"]


def _offer_source_choice(prop: dict, names: Sequence[str]) -> None:
    """Make the `sources` parameter a multi-select of the configured source names.

    The flow signature says `list[str] | None` because the names are only known
    at serve time; the schema Prefect derived from it is patched here. With
    the enum in the schema the server also rejects an unknown name when a run
    is created, before any process starts.
    """
    prop.update({"type": "array", "items": {"type": "string", "enum": list(names)}, "uniqueItems": True})


def _adapt_schema(deployment: RunnerDeployment, names: Sequence[str]) -> None:
    """Fit the schema Prefect derived from the flow signature to the UI and to this server's sources."""
    properties = deployment._parameter_openapi_schema.properties  # noqa: SLF001 - Prefect offers no public setter
    for prop in properties.values():
        _without_null_choice(prop)
    _offer_source_choice(properties["sources"], names)
    # The server then rejects max_pages below 1 when a run is created; the flow checks again.
    if properties["max_pages"].get("type") == "integer":
        properties["max_pages"]["minimum"] = 1


def _nightly_schedules(config: ServeConfig, names: Sequence[str], *, per_source: bool):
    """One schedule for all sources, or one per source so a work pool's workers share the night's sources."""
    if not per_source:
        return [Cron(config.cron, timezone=config.timezone)]
    return [
        Cron(config.cron, timezone=config.timezone, parameters={"sources": [name]}, slug=f"nightly-{name}")
        for name in names
    ]


def build_deployments(config: ServeConfig, *, work_pool: str | None = None) -> list[RunnerDeployment]:
    """The three deployments: for `prefect.serve`, or (with `work_pool`) for that pool's workers.

    Pool deployments name their flows by module path (`flows.backfill.backfill`),
    so any worker machine with dangjian installed can load them without a copy
    of this checkout; their nightly runs one run per source, spread over workers.
    """
    names = [p.name for p in config.profiles() if p.enabled]
    all_names = [p.name for p in config.profiles()]
    fixed = config.fixed_parameters()
    pool_options = {} if work_pool is None else {
        "work_pool_name": work_pool, "entrypoint_type": EntrypointType.MODULE_PATH,
    }
    nightly = ingest.to_deployment(
        name="nightly",
        schedules=_nightly_schedules(config, names, per_source=work_pool is not None),
        parameters={**fixed, "mode": freeze("nightly")},
        description=f"All enabled sources, new articles only; {config.cron} ({config.timezone}).",
        tags=TAGS,
        **pool_options,
    )
    backfill_deployment = backfill.to_deployment(
        name="backfill",
        parameters=fixed,
        description="Walk list pages back to a date, or fetch given article URLs. Start it with Run > Custom run.",
        tags=TAGS,
        **pool_options,
    )
    reprocess_deployment = reprocess.to_deployment(
        name="reprocess",
        parameters=fixed,
        description="Re-clean archived pages with the current cleaner; fetches nothing.",
        tags=TAGS,
        **pool_options,
    )
    for deployment in (nightly, backfill_deployment, reprocess_deployment):
        _adapt_schema(deployment, all_names)
    return [nightly, backfill_deployment, reprocess_deployment]


def serve_deployments(config: ServeConfig, *, limit: int | None = None) -> None:
    """Register the deployments and run their flow runs in this process until interrupted."""
    config.check()
    serve(*build_deployments(config), limit=limit)


def deploy_to_work_pool(config: ServeConfig, work_pool: str) -> list[str]:
    """Register the deployments on a work pool and return their ids; the pool's workers run them.

    Nothing is built or pushed: workers import the flows from the installed
    dangjian package, and read the sources file and warehouse paths frozen
    here, so those must exist at the same paths on every worker machine.
    """
    config.check()
    ids = prefect_deploy(
        *build_deployments(config, work_pool=work_pool), work_pool_name=work_pool,
        build=False, push=False, print_next_steps_message=False, ignore_warnings=True,
    )
    return [str(i) for i in ids]

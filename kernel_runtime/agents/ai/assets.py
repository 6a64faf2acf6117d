"""Create the application's `jdbc-table` assets before its agents start (LangStream deploys
assets first: JdbcAssetsManagerProvider).

`creation-mode: create-if-not-exists` runs the asset's `create-statements` when `table-name`
does not exist in the asset's `datasource`; `none` (the default) leaves the database alone.
Other asset types (Cassandra tables, OpenSearch indexes, ...) are for services the kernel
cannot reach: they are skipped with a warning and still export unchanged.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from kernel_runtime.agents.ai.datasources import DatasourceError, open_database
from kernel_runtime.agents.ai.resources import ResourceRef

log = logging.getLogger(__name__)


class AssetError(RuntimeError):
    """An asset could not be created; the message names the asset and the statement."""


def _deploy(asset: Any, resources: dict[str, Any], where: str) -> bool:
    config = dict(asset.config or {})
    datasource = config.get("datasource")
    resource = resources.get(str(datasource))
    if resource is None:
        raise AssetError(
            f"asset {asset.asset_id!r} ({where}): datasource {datasource!r} is not a resource of "
            "configuration.yaml"
        )
    database = open_database(
        ResourceRef(str(datasource), str(resource.type), dict(resource.configuration or {}))
    )
    table = str(config.get("table-name") or "")
    if not table:
        raise AssetError(f"asset {asset.asset_id!r} ({where}) needs config.table-name")
    if database.table_exists(table):
        return False
    statements = config.get("create-statements") or []
    try:
        database.run_script([str(s) for s in statements])
    except Exception as error:
        raise AssetError(
            f"asset {asset.asset_id!r} ({where}): creating table {table!r} failed: {error}"
        ) from error
    return True


def deploy_assets_now(app: Any) -> list[str]:
    """Create the missing `jdbc-table` assets; returns the ids of those created."""
    created: list[str] = []
    resources = app.resources_by_name()
    for pipeline in app.pipelines:
        for asset in pipeline.assets:
            mode = asset.creation_mode or "none"
            if mode != "create-if-not-exists":
                continue
            if asset.asset_type != "jdbc-table":
                log.warning(
                    "asset %r (%s, %s) is not created in the kernel; it is created when the "
                    "application deploys on LangStream",
                    asset.asset_id,
                    asset.asset_type,
                    pipeline.file,
                )
                continue
            try:
                if _deploy(asset, resources, pipeline.file):
                    created.append(str(asset.asset_id))
            except DatasourceError as error:  # the agents using it say so when they start
                log.warning("asset %r not created: %s", asset.asset_id, error)
    return created


async def deploy_assets(app: Any) -> list[str]:
    """`deploy_assets_now` off the event loop (it talks to a database)."""
    return await asyncio.to_thread(deploy_assets_now, app)

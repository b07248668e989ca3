"""How dbt resources become Dagster assets: keys by layer, groups so the graph reads left to right."""
from __future__ import annotations

from functools import cache
from typing import Any, Mapping

from dagster import AssetKey
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings

from orchestration.sources.contract import all_contracts

LAYERS = ("staging", "intermediate", "core", "marts", "validation")


@cache
def raw_table_to_source() -> dict[str, str]:
    """raw table -> source id: dbt sources point at tables, Dagster at one extraction asset per source."""
    return {table: c.id for c in all_contracts() for table in c.tabellen} | {"lieferungen": "lieferungen"}


def layer_of(props: Mapping[str, Any]) -> str:
    schema = (props.get("config") or {}).get("schema") or props.get("schema")
    if schema in LAYERS:
        return schema
    fqn = props.get("fqn") or []
    return next((part for part in fqn if part in LAYERS), "core")


class SozialmonitorTranslator(DagsterDbtTranslator):
    def __init__(self):
        # several raw tables of one source (register: snapshot + movements) map to its one extraction asset
        super().__init__(DagsterDbtTranslatorSettings(enable_asset_checks=True, enable_duplicate_source_asset_keys=True))

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            table = dbt_resource_props["name"]
            return AssetKey(["raw", raw_table_to_source().get(table, table)])
        return AssetKey([layer_of(dbt_resource_props), dbt_resource_props["name"]])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "source":
            return "quellen"
        return layer_of(dbt_resource_props)

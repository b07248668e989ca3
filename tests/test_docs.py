"""The operator docs generated from code stay in step with it."""
from orchestration.docs import render_sources_doc
from tests.conftest import PROJECT_ROOT


def test_sources_doc_is_current():
    committed = (PROJECT_ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    assert committed == render_sources_doc(), "docs/sources.md is stale: run `sozialmonitor docs`"


def test_every_contract_column_is_documented():
    text = render_sources_doc()
    from orchestration.sources.contract import all_contracts

    for contract in all_contracts():
        for table in contract.tabellen.values():
            for column in table.columns:
                assert f"| {column.quelle} |" in text


def test_indicator_doc_is_current_and_lists_every_indicator():
    from orchestration.docs import read_catalogue, render_indicator_doc

    committed = (PROJECT_ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert committed == render_indicator_doc(), "docs/indicators.md is stale: run `sozialmonitor docs`"
    for row in read_catalogue():
        assert f"`{row['indikator_id']}`" in committed

"""The `reports_site` Dagster asset: the Evidence site, built after the publication.

Downstream of the publication, so it only runs once the marts are published; its failure (a broken
page, Node missing, a timeout) fails this asset alone and never touches data/published/. Its upstream
lineage also names the published tables behind each source query (metadata `quellen`).
"""

import dagster as dg

from orchestration.reports.npm import DependencyInstallError
from orchestration.reports.preflight import PreflightError
from orchestration.reports.process import StepTimeout
from orchestration.reports.queries import source_tables
from orchestration.reports.site import ReportBuildError, SiteConfig, build_site

REPORTS_SITE_KEY = dg.AssetKey(["berichte", "reports_site"])


def build_reports_site_asset(publication_key: dg.AssetKey, *, partitions_def=None,
                             backfill_policy=None) -> dg.AssetsDefinition:
    """Pass the publication's key (and, inside the partitioned refresh job, its partitions and
    single-run backfill policy, so a run builds the site once)."""
    config = SiteConfig.from_settings()

    @dg.asset(
        key=REPORTS_SITE_KEY,
        group_name="berichte",
        deps=[publication_key],
        partitions_def=partitions_def,
        backfill_policy=backfill_policy,
        kinds={"evidence"},
        description="Report site for the planners (Evidence, reports/): German pages over the published "
        "marts, built offline into reports/build/. Serve it with `sozialmonitor report --serve`.",
        metadata={"quellen": dg.MetadataValue.json(source_tables(config.reports_dir))},
    )
    def reports_site(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        try:
            site = build_site(SiteConfig.from_settings(), on_line=context.log.info)
        except (PreflightError, DependencyInstallError, StepTimeout, ReportBuildError) as exc:
            raise dg.Failure(description=f"{exc}\nThe publication is unaffected.",
                             allow_retries=False) from exc
        meta = site.as_metadata()
        meta["index_html"] = dg.MetadataValue.path(meta["index_html"])
        meta["build_dir"] = dg.MetadataValue.path(meta["build_dir"])
        return dg.MaterializeResult(metadata=meta)

    return reports_site

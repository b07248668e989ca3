"""What planners do with the published marts (DESIGN.md section 4): change digest, area profiles, priority lists.

Everything here reads the published file only, never the warehouse beside it.
- digest: build_digest(previous, candidate) -> Digest; write_digest_file; add_digest_table
- steckbrief: render_steckbrief(published_db, wohnplatz) -> HTML; write_steckbriefe(published_db, out_dir, ...)
- priority: priority_list(published_db, einrichtung, indikator, top) -> DataFrame; write_priority_xlsx
- commands: the `prioritaet` and `steckbrief` CLI commands
"""
from orchestration.planning.digest import Digest, add_digest_table, build_digest, write_digest_file
from orchestration.planning.priority import PriorisierungMissing, priority_list, write_priority_xlsx
from orchestration.planning.steckbrief import render_steckbrief, write_steckbriefe

__all__ = ["Digest", "build_digest", "write_digest_file", "add_digest_table", "priority_list", "write_priority_xlsx",
           "PriorisierungMissing", "render_steckbrief", "write_steckbriefe"]

"""One module per source (Fachplanung): its contract (`<source>.yaml`) and its own checks."""
from __future__ import annotations

import importlib
from types import ModuleType

from orchestration.sources.contract import SOURCE_IDS


def source_module(source_id: str) -> ModuleType:
    return importlib.import_module(f"orchestration.sources.{source_id}")


def source_modules() -> list[ModuleType]:
    return [source_module(s) for s in SOURCE_IDS]


# Reference data a source's checks read from raw (so it must be loaded first).
REFERENCE_DEPENDENCIES: dict[str, tuple[str, ...]] = {
    "gebietsreform": ("wohnplatz_grenzen",),
    "strassenverzeichnis": ("wohnplatz_grenzen",),
    "hauskoordinaten": ("strassenverzeichnis",),
    "melderegister": ("strassenverzeichnis",),
    "sgb2": ("wohnplatz_grenzen",),
    "arbeitslosigkeit": ("wohnplatz_grenzen",),
    "grundsicherung": ("wohnplatz_grenzen",),
    "hze": ("wohnplatz_grenzen",),
    "einschulung": ("wohnplatz_grenzen",),
    "pflege": ("wohnplatz_grenzen",),
    "massnahmen": ("wohnplatz_grenzen",),
}

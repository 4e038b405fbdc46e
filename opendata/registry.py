"""The dataset catalogue's registry: every open dataset is declared once, here or in an
app's `datasets.py` (imported by `datasets()`), and the catalogue page (/datos/), its
DCAT-AP JSON-LD (/datos/catalogo.jsonld) and the API's datasets resource all read it.

A dataset says what it is (title, description, theme, keywords), its licence (CC BY 4.0
unless it says otherwise), how often it changes, where to download it (one distribution per
format: CSV, JSON, GeoJSON...; each a URL name of ours, reversed, with its query string),
when it last changed (a callable reading the data, so the date is never stale) and its data
dictionary (column, type, meaning). Distributions point at downloads built by
quitodecide/exports.py, so every file still goes through the export module.
"""

import datetime
import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps

LICENCE = "CC-BY-4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENCE_NAME = "Creative Commons Atribución 4.0 Internacional (CC BY 4.0)"
PUBLISHER = "Municipio del Distrito Metropolitano de Quito"
DATASET_MODULES = ("datasets",)

# Update frequencies, as the EU's frequency vocabulary names them (DCAT-AP).
CONTINUOUS, DAILY, WEEKLY, MONTHLY, ANNUAL, IRREGULAR = (
    "CONT",
    "DAILY",
    "WEEKLY",
    "MONTHLY",
    "ANNUAL",
    "IRREG",
)


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # "string", "integer", "decimal", "date", "datetime", "boolean", "url"
    description: str


@dataclass(frozen=True)
class Distribution:
    format: str  # "CSV", "JSON", "GeoJSON", "ZIP"
    url_name: str  # a URL name of ours ("works:csv"); reversed with url_args
    media_type: str  # "text/csv", "application/json", "application/geo+json"...
    url_args: tuple = ()
    query: str = ""  # e.g. "formato=json"


@dataclass(frozen=True)
class Dataset:
    slug: str
    title: str
    description: str
    theme: str  # a short theme label ("Obras públicas", "Presupuestos participativos")
    frequency: str
    distributions: tuple[Distribution, ...]
    dictionary: tuple[Column, ...]
    modified: Callable[[], datetime.datetime | datetime.date | None]
    keywords: tuple[str, ...] = ()
    licence: str = LICENCE
    licence_url: str = LICENCE_URL
    spatial: str = "Distrito Metropolitano de Quito"
    extra: dict = field(default_factory=dict)


_registry: dict[str, Dataset] = {}


def register(dataset: Dataset) -> Dataset:
    """Declare a dataset (once per slug; a second declaration of the same slug is a bug)."""
    existing = _registry.get(dataset.slug)
    if existing is not None and existing is not dataset:
        raise ValueError(f"The dataset {dataset.slug} is declared twice.")
    _registry[dataset.slug] = dataset
    return dataset


def datasets() -> list[Dataset]:
    """Every declared dataset, in slug order (importing each app's `datasets` module)."""
    for app in apps.get_app_configs():
        for module in DATASET_MODULES:
            dotted = f"{app.name}.{module}"
            if importlib.util.find_spec(dotted) is not None:
                importlib.import_module(dotted)
    return [_registry[slug] for slug in sorted(_registry)]


def dataset(slug: str) -> Dataset | None:
    return {item.slug: item for item in datasets()}.get(slug)

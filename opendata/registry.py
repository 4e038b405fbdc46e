"""The dataset catalogue's registry: every open dataset is declared once, here or in an
app's `datasets.py` (imported by `datasets()`), and the catalogue page (/datos/), its
DCAT-AP JSON-LD (/datos/catalogo.jsonld) and the API's datasets resource all read it.

A dataset says what it is (title, description, theme, keywords), its licence (CC BY 4.0
unless it says otherwise), how often it changes, where to download it (one distribution per
format: CSV, JSON, GeoJSON...; each a URL name of ours, reversed, with its query string),
when it last changed (a callable reading the data, so the date is never stale) and its data
dictionary (column, type, meaning). Distributions point at downloads built by
quitodecide/exports.py, so every file still goes through the export module.

Datasets that exist once per published thing (a budget cycle's results, a consultation's
report) are not declared one by one: an app registers a *provider* with
`register_provider`, a callable that builds them from the database when `datasets()` is
called, so a newly published cycle is in the catalogue at once and a withdrawn one leaves it.
"""

import datetime
import importlib
import importlib.util
import mimetypes
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

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
# A distribution's media type by its format, when it does not name one (IANA names).
MEDIA_TYPES = {
    "CSV": mimetypes.types_map[".csv"],
    "JSON": "application/json",
    "GeoJSON": "application/geo+json",
    "ZIP": mimetypes.types_map[".zip"],
}
FREQUENCY_URI = "http://publications.europa.eu/resource/authority/frequency/"
FREQUENCY_LABELS = {
    CONTINUOUS: _("Continuously, as the data changes"),
    DAILY: _("Daily"),
    WEEKLY: _("Weekly"),
    MONTHLY: _("Monthly"),
    ANNUAL: _("Yearly"),
    IRREGULAR: _("Irregularly, when there is something new"),
}


TYPE_LABELS = {
    "string": _("text"),
    "integer": _("whole number"),
    "decimal": _("decimal number (point as separator)"),
    "date": _("date (YYYY-MM-DD)"),
    "datetime": _("date and time (ISO 8601)"),
    "boolean": _("true or false"),
    "url": _("web address"),
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # "string", "integer", "decimal", "date", "datetime", "boolean", "url"
    description: str

    @property
    def type_label(self) -> str:
        return str(TYPE_LABELS.get(self.type, self.type))


@dataclass(frozen=True)
class Distribution:
    format: str  # "CSV", "JSON", "GeoJSON", "ZIP"
    url_name: str  # a URL name of ours ("works:csv"); reversed with url_args
    media_type: str = ""  # the IANA media type; empty: MEDIA_TYPES[format]
    url_args: tuple = ()
    query: str = ""  # e.g. "formato=json"
    # Where a download without a URL name of its own lives (a Wagtail page's route,
    # `cycle.url + cycle.reverse_subpage("results_csv")`): see `page_distribution`.
    path: str = ""
    title: str = ""

    def __post_init__(self):
        if not self.media_type:
            object.__setattr__(self, "media_type", MEDIA_TYPES[self.format])

    def url(self) -> str:
        """The site path of the download (with its query string), not yet absolute."""
        base = reverse(self.url_name, args=self.url_args) if self.url_name else self.path
        return f"{base}?{self.query}" if self.query else base


def page_distribution(dataset_slug: str, format: str, path: str) -> Distribution:
    """A distribution served by a page's route. Its URL stays ours and stable
    (/datos/descargas/<dataset>/<format>/, URL name "opendata:download", which serves the
    page's route): moving or renaming the page does not break a harvested link, and every
    distribution has a URL name to reverse."""
    return Distribution(
        format=format,
        url_name="opendata:download",
        url_args=(dataset_slug, format.lower()),
        path=path,
    )


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
    # When the dataset was first published (a callable like `modified`); None if unknown.
    issued: Callable[[], datetime.datetime | datetime.date | None] | None = None

    @property
    def frequency_uri(self) -> str:
        return FREQUENCY_URI + self.frequency

    @property
    def frequency_label(self) -> str:
        return str(FREQUENCY_LABELS.get(self.frequency, self.frequency))

    @property
    def formats(self) -> list[str]:
        """The formats it is offered in, each once, in the distributions' order."""
        return list(dict.fromkeys(d.format for d in self.distributions))


_registry: dict[str, Dataset] = {}
_providers: list[Callable[[], Iterable[Dataset]]] = []


def register(dataset: Dataset) -> Dataset:
    """Declare a dataset (once per slug; a second declaration of the same slug is a bug)."""
    existing = _registry.get(dataset.slug)
    if existing is not None and existing is not dataset:
        raise ValueError(f"The dataset {dataset.slug} is declared twice.")
    _registry[dataset.slug] = dataset
    return dataset


def register_provider(provider: Callable[[], Iterable[Dataset]]):
    """Declare a callable that builds datasets from the database each time `datasets()` is
    called (one per published cycle...). Usable as a decorator; registering twice is a
    no-op (a module imported again)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def datasets() -> list[Dataset]:
    """Every declared dataset, in slug order (importing each app's `datasets` module), the
    providers' included. A provider's slug that a declared dataset already uses is a bug."""
    for app in apps.get_app_configs():
        for module in DATASET_MODULES:
            dotted = f"{app.name}.{module}"
            if importlib.util.find_spec(dotted) is not None:
                importlib.import_module(dotted)
    found = dict(_registry)
    for provider in _providers:
        for item in provider():
            if item.slug in found:
                raise ValueError(f"The dataset {item.slug} is declared twice.")
            found[item.slug] = item
    return [found[slug] for slug in sorted(found)]


def dataset(slug: str) -> Dataset | None:
    return {item.slug: item for item in datasets()}.get(slug)

"""The dataset catalogue as DCAT-AP (2.x/3) in JSON-LD, for the DCAT harvester of a CKAN
portal (ckanext-dcat) and any other DCAT reader.

The @context is inline, so a reader resolves every term without fetching anything. Every
URL is absolute (built from the request). Controlled vocabularies are the ones DCAT-AP
asks for: EU frequency, file-type, language and data-theme authority tables, IANA media
types. Literals carry the language they are written in (the request's)."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from . import registry

EU = "http://publications.europa.eu/resource/authority/"
FILE_TYPES = {"CSV": "CSV", "JSON": "JSON", "GeoJSON": "GEOJSON", "ZIP": "ZIP"}
IANA = "https://www.iana.org/assignments/media-types/"
# EU data themes: a dataset names its own in extra["eu_themes"]; otherwise "Government and
# public sector", which is what participation, budgets and works are.
DEFAULT_THEMES = ("GOVE",)

CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}


def _text(value, language: str) -> dict:
    return {"@value": str(value), "@language": language}


def _ref(url: str) -> dict:
    return {"@id": url}


def _date(value) -> dict | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return {"@value": value.isoformat(timespec="seconds"), "@type": "xsd:dateTime"}
    return {"@value": value.isoformat(), "@type": "xsd:date"}


def _latest(values):
    """The latest of dates and datetimes (a date counts as its midnight in Quito)."""

    def key(value):
        if isinstance(value, datetime.datetime):
            return value if timezone.is_aware(value) else timezone.make_aware(value)
        return timezone.make_aware(datetime.datetime.combine(value, datetime.time()))

    present = [value for value in values if value is not None]
    return max(present, key=key) if present else None


def _language() -> str:
    return (get_language() or "es").split("-")[0]


def publisher(base: str) -> dict:
    return {
        "@id": base + "/#municipio",
        "@type": "foaf:Organization",
        "foaf:name": registry.PUBLISHER,
        "foaf:homepage": _ref(base + "/"),
    }


def contact_point(base: str, language: str) -> dict:
    return {
        "@type": "vcard:Organization",
        "vcard:fn": _text(_("Quito Decide · open data"), language),
        "vcard:hasURL": _ref(base + reverse("opendata:catalogue")),
    }


def _distribution(item, number: int, page: str, base: str, language: str, modified) -> dict:
    distribution = item.distributions[number]
    url = base + distribution.url()
    title = distribution.title or f"{item.title} ({distribution.format})"
    node = {
        "@id": f"{page}#distribucion-{number + 1}",
        "@type": "dcat:Distribution",
        "dct:title": _text(title, language),
        "dcat:accessURL": _ref(url),
        "dcat:downloadURL": _ref(url),
        "dcat:mediaType": _ref(IANA + distribution.media_type),
        "dct:license": _ref(item.licence_url),
    }
    if distribution.format in FILE_TYPES:
        node["dct:format"] = _ref(EU + "file-type/" + FILE_TYPES[distribution.format])
    if modified is not None:
        node["dct:modified"] = _date(modified)
    return node


def dataset_node(item, base: str, language: str, modified=None) -> dict:
    page = base + reverse("opendata:dataset", args=[item.slug])
    themes = item.extra.get("eu_themes", DEFAULT_THEMES)
    node = {
        "@id": page,
        "@type": "dcat:Dataset",
        "dct:identifier": item.slug,
        "dct:title": _text(item.title, language),
        "dct:description": _text(item.description, language),
        "dct:publisher": _ref(base + "/#municipio"),
        "dct:license": _ref(item.licence_url),
        "dct:accrualPeriodicity": _ref(item.frequency_uri),
        "dct:language": _ref(EU + "language/SPA"),
        "dct:spatial": {"@type": "dct:Location", "skos:prefLabel": _text(item.spatial, "es")},
        "dcat:theme": [_ref(EU + "data-theme/" + theme) for theme in themes],
        "dcat:keyword": [_text(word, language) for word in (item.theme, *item.keywords)],
        "dcat:landingPage": _ref(page),
        "dcat:contactPoint": contact_point(base, language),
        "dcat:distribution": [
            _distribution(item, number, page, base, language, modified)
            for number in range(len(item.distributions))
        ],
    }
    issued = item.issued() if item.issued else None
    if issued is not None:
        node["dct:issued"] = _date(issued)
    if modified is not None:
        node["dct:modified"] = _date(modified)
    return node


def catalogue(request) -> dict:
    base = request.build_absolute_uri("/").rstrip("/")
    language = _language()
    items = registry.datasets()
    modified = {item.slug: item.modified() for item in items}
    document = {
        "@context": CONTEXT,
        "@id": base + reverse("opendata:dcat"),
        "@type": "dcat:Catalog",
        "dct:title": _text(_("Quito Decide open data"), language),
        "dct:description": _text(
            _(
                "Open data of citizen participation in Quito: public works, participatory "
                "budgets, consultations and the district's territory, published by the city "
                "under CC BY 4.0."
            ),
            language,
        ),
        "dct:publisher": publisher(base),
        "dct:language": _ref(EU + "language/SPA"),
        "dct:license": _ref(registry.LICENCE_URL),
        "dct:spatial": {
            "@type": "dct:Location",
            "skos:prefLabel": _text("Distrito Metropolitano de Quito", "es"),
        },
        "foaf:homepage": _ref(base + reverse("opendata:catalogue")),
        "dcat:dataset": [dataset_node(item, base, language, modified[item.slug]) for item in items],
    }
    latest = _latest(modified.values())
    if latest is not None:
        document["dct:modified"] = _date(latest)
    return document

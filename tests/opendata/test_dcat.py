"""The catalogue as DCAT-AP JSON-LD (/datos/catalogo.jsonld), read as a CKAN DCAT harvester
reads it: parsed with rdflib (context inline, nothing fetched) and queried as a graph. One
dcat:Catalog; every registered dataset in it with its title, licence, frequency and at
least one distribution whose absolute downloadURL answers 200."""

import json
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
import rdflib
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from opendata import registry
from tests.opendata.test_catalogue import closed_consultation, published_cycle
from tests.works.builders import make_work

pytestmark = [
    pytest.mark.django_db,
    # rdflib's own JSON-LD parser builds a ConjunctiveGraph, which rdflib 7.x deprecates.
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

VCARD = rdflib.Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"


@pytest.fixture
def graph(client, territory):
    make_work(title="Muro de contención", latitude=Decimal("-0.1"), longitude=Decimal("-78.4"))
    published_cycle()
    closed_consultation()
    response = client.get("/datos/catalogo.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    document = json.loads(response.content)
    # The context is inline: a harvester resolves every term without going to the network.
    assert isinstance(document["@context"], dict)
    return rdflib.Graph().parse(data=response.content, format="json-ld")


def one(graph, subject, predicate):
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def test_one_catalogue_with_its_publisher_and_language(graph):
    catalogues = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogues) == 1
    catalogue = catalogues[0]
    assert str(catalogue) == "http://testserver/datos/catalogo.jsonld"
    assert one(graph, catalogue, DCTERMS.title).language == "es"
    assert str(one(graph, catalogue, DCTERMS.description))
    publisher = one(graph, catalogue, DCTERMS.publisher)
    assert (publisher, RDF.type, FOAF.Organization) in graph
    assert str(one(graph, publisher, FOAF.name)) == registry.PUBLISHER
    assert str(one(graph, catalogue, DCTERMS.language)) == EU + "language/SPA"
    assert one(graph, catalogue, DCTERMS.modified).datatype in {XSD.dateTime, XSD.date}


def test_every_registered_dataset_is_in_the_catalogue(graph, client):
    query = """
        SELECT ?dataset ?identifier ?title ?licence ?frequency WHERE {
            ?catalogue a dcat:Catalog ; dcat:dataset ?dataset .
            ?dataset a dcat:Dataset ;
                dct:identifier ?identifier ;
                dct:title ?title ;
                dct:license ?licence ;
                dct:accrualPeriodicity ?frequency .
        }"""
    rows = list(graph.query(query, initNs={"dcat": DCAT, "dct": DCTERMS}))
    found = {str(row.identifier): row for row in rows}
    expected = {item.slug: item for item in registry.datasets()}
    assert len(rows) == len(expected) >= 5
    assert set(found) == set(expected)
    for slug, row in found.items():
        item = expected[slug]
        assert str(row.title) == str(item.title)
        assert str(row.licence) == registry.LICENCE_URL
        assert str(row.frequency) == EU + "frequency/" + item.frequency
        assert str(row.dataset) == f"http://testserver/datos/{slug}/"
        assert client.get(urlsplit(str(row.dataset)).path).status_code == 200


def test_every_dataset_has_downloadable_distributions(graph, client):
    checked = 0
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        slug = str(one(graph, dataset, DCTERMS.identifier))
        distributions = list(graph.objects(dataset, DCAT.distribution))
        assert distributions, slug
        item = registry.dataset(slug)
        assert len(distributions) == len(item.distributions)
        for distribution in distributions:
            assert (distribution, RDF.type, DCAT.Distribution) in graph
            url = str(one(graph, distribution, DCAT.downloadURL))
            assert url.startswith("http://testserver/"), url
            assert str(one(graph, distribution, DCAT.accessURL)) == url
            assert str(one(graph, distribution, DCTERMS.license)) == registry.LICENCE_URL
            media_type = str(one(graph, distribution, DCAT.mediaType))
            assert media_type.startswith("https://www.iana.org/assignments/media-types/")
            file_type = str(one(graph, distribution, DCTERMS["format"]))
            assert file_type.startswith(EU + "file-type/")
            parts = urlsplit(url)
            response = client.get(parts.path, query_string=parts.query)
            assert response.status_code == 200, url
            served = response["Content-Type"].split(";")[0]
            assert media_type.endswith("/" + served), (url, served)
            checked += 1
    assert checked >= 10


def test_datasets_carry_dcat_ap_recommended_properties(graph):
    catalogue = next(graph.subjects(RDF.type, DCAT.Catalog))
    for dataset in graph.subjects(RDF.type, DCAT.Dataset):
        slug = str(one(graph, dataset, DCTERMS.identifier))
        assert one(graph, dataset, DCTERMS.description).language == "es", slug
        assert list(graph.objects(dataset, DCAT.theme)), slug
        assert all(
            str(t).startswith(EU + "data-theme/") for t in graph.objects(dataset, DCAT.theme)
        )
        assert list(graph.objects(dataset, DCAT.keyword)), slug
        assert list(graph.objects(dataset, DCTERMS.spatial)), slug
        contact = one(graph, dataset, DCAT.contactPoint)
        assert (contact, RDF.type, VCARD.Organization) in graph
        assert str(one(graph, contact, VCARD.fn))
        assert one(graph, dataset, DCTERMS.publisher) == one(graph, catalogue, DCTERMS.publisher)
        modified = list(graph.objects(dataset, DCTERMS.modified))
        item = registry.dataset(slug)
        if item.modified() is not None:
            assert modified and modified[0].datatype in {XSD.dateTime, XSD.date}, slug


def test_dates_are_typed_and_the_cycle_was_issued_when_computed(graph):
    cycle = "http://testserver/datos/presupuestos-calderon-2026-resultados/"
    issued = one(graph, rdflib.URIRef(cycle), DCTERMS.issued)
    assert issued.datatype == XSD.dateTime
    item = registry.dataset("presupuestos-calderon-2026-resultados")
    assert issued.toPython() == item.issued().replace(microsecond=0)  # to the second

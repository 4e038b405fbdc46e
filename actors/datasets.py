"""The map of social actors as open datasets: counts per zone, year mapped and type, and
the public directory. Neither has a contact person's data (name, e-mail, phone), whether
or not the actor consents to publishing it on the directory's pages."""

from opendata.registry import CONTINUOUS, Column, Dataset, Distribution, register_provider

from . import selectors

THEME = "Participación ciudadana"
KEYWORDS = ("actores sociales", "mapeo de actores", "organizaciones", "participación ciudadana")
KINDS = (
    "comite_barrial, cabildo, liga_deportiva, sociedad_civil, academia, delegado_asamblea u otro"
)


def _distributions(name):
    return (
        Distribution(format="CSV", url_name=f"actors:{name}_csv"),
        Distribution(format="JSON", url_name=f"actors:{name}_json"),
    )


@register_provider
def actor_datasets():
    last = selectors.last_modified()
    return [
        Dataset(
            slug="actores-sociales-conteos",
            title="Mapeo de actores sociales: número de actores por zona, año y tipo",
            description=(
                "Cuántos actores del Sistema Metropolitano de Participación Ciudadana "
                "(comités barriales, cabildos, ligas deportivas, organizaciones de la sociedad "
                "civil, academia, delegados a la Asamblea de Quito) están mapeados en cada "
                "administración zonal, por año de mapeo y tipo. Sin datos personales."
            ),
            theme=THEME,
            frequency=CONTINUOUS,
            distributions=_distributions("conteos"),
            dictionary=(
                Column("zone_slug", "string", "Identificador de la administración zonal."),
                Column("zone", "string", "Administración zonal."),
                Column("year", "integer", "Año del mapeo."),
                Column("kind", "string", f"Tipo de actor: {KINDS}."),
                Column("kind_label", "string", "El tipo en palabras."),
                Column("actors", "integer", "Número de actores activos."),
            ),
            modified=lambda: last,
            keywords=KEYWORDS,
        ),
        Dataset(
            slug="actores-sociales-directorio",
            title="Mapeo de actores sociales: directorio público (sin datos de contacto)",
            description=(
                "Cada actor social mapeado: nombre, tipo, zona, parroquia, barrio, estado "
                "legal, número de miembros, año y fuente del mapeo y ubicación. No incluye "
                "los datos de las personas de contacto."
            ),
            theme=THEME,
            frequency=CONTINUOUS,
            distributions=_distributions("directorio"),
            dictionary=(
                Column("actor_id", "integer", "Identificador del actor."),
                Column("name", "string", "Nombre de la organización o del actor."),
                Column("kind", "string", f"Tipo de actor: {KINDS}."),
                Column("kind_label", "string", "El tipo en palabras."),
                Column("zone_slug", "string", "Identificador de la administración zonal."),
                Column("zone", "string", "Administración zonal."),
                Column("parish_dpa_code", "string", "Código DPA (INEC) de la parroquia."),
                Column("parish", "string", "Parroquia."),
                Column("barrio", "string", "Barrio."),
                Column(
                    "legal_status",
                    "string",
                    "Estado legal: con_personeria, en_tramite, de_hecho o no_aplica.",
                ),
                Column("members", "integer", "Número de miembros (vacío si no se conoce)."),
                Column("year_mapped", "integer", "Año del mapeo."),
                Column("source", "string", "Fuente: administracion_zonal o universidad."),
                Column("source_name", "string", "Nombre de la fuente (p. ej. la universidad)."),
                Column("latitude", "decimal", "Latitud (WGS 84), si se conoce."),
                Column("longitude", "decimal", "Longitud (WGS 84), si se conoce."),
            ),
            modified=lambda: last,
            keywords=KEYWORDS,
        ),
    ]

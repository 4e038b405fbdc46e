"""The council's records as open datasets (catalogue, DCAT, API): sessions, agenda items
with their tally, attendance and roll-call votes. Only councillors' public names (and the
name of an organisation that voted from the empty seat) are in them: no applicant's data.

One provider builds the four, so their common "modified" date (the last audited write of
the secretariat) costs one query per catalogue, not one per dataset."""

from opendata.registry import CONTINUOUS, Column, Dataset, Distribution, register_provider

from . import selectors

THEME = "Concejo Metropolitano"
KEYWORDS = ("concejo", "parlamento abierto", "sesiones", "votaciones", "asistencia")
CHOICES = "a_favor, en_contra, abstencion, blanco o ausente"


def _distributions(name):
    return (
        Distribution(format="CSV", url_name=f"council:{name}_csv"),
        Distribution(format="JSON", url_name=f"council:{name}_json"),
    )


SESSION = (
    Column("session_id", "integer", "Identificador de la sesión."),
    Column("session_starts_at", "datetime", "Fecha y hora de inicio de la sesión."),
)


@register_provider
def council_datasets():
    last = selectors.last_modified()
    return [
        Dataset(
            slug="concejo-sesiones",
            title="Concejo Metropolitano: sesiones del pleno y de las comisiones",
            description=(
                "Cada sesión ordinaria, extraordinaria, solemne o de comisión del Concejo "
                "Metropolitano de Quito: número, fecha, lugar, estado, enlaces al video y al acta."
            ),
            theme=THEME,
            frequency=CONTINUOUS,
            distributions=_distributions("sesiones"),
            dictionary=(
                Column("session_id", "integer", "Identificador de la sesión."),
                Column("kind", "string", "Tipo: ordinaria, extraordinaria, solemne o comision."),
                Column("kind_label", "string", "El tipo en palabras."),
                Column("commission", "string", "Comisión (solo en sesiones de comisión)."),
                Column("number", "string", "Número de la sesión."),
                Column("starts_at", "datetime", "Fecha y hora de inicio."),
                Column("place", "string", "Lugar."),
                Column("status", "string", "Estado: convocada, realizada o suspendida."),
                Column("video_url", "url", "Enlace al video de la sesión."),
                Column("minutes_url", "url", "Enlace al acta."),
                Column("agenda_items", "integer", "Número de puntos del orden del día."),
                Column("url", "url", "Página de la sesión."),
            ),
            modified=lambda: last,
            keywords=KEYWORDS,
        ),
        Dataset(
            slug="concejo-puntos-orden-del-dia",
            title="Concejo Metropolitano: puntos del orden del día y sus votaciones",
            description=(
                "Cada punto del orden del día de las sesiones del Concejo, con la consulta "
                "ciudadana de la que viene, su resultado y el recuento de la votación nominal."
            ),
            theme=THEME,
            frequency=CONTINUOUS,
            distributions=_distributions("puntos"),
            dictionary=(
                Column("item_id", "integer", "Identificador del punto."),
                *SESSION,
                Column("position", "integer", "Orden del punto en la sesión."),
                Column("title", "string", "Título del punto."),
                Column("summary", "string", "Resumen."),
                Column("consultation_url", "url", "Consulta ciudadana vinculada, si la hay."),
                Column("outcome", "string", "Resultado: aprobado, negado, diferido o vacío."),
                Column("votes_a_favor", "integer", "Votos a favor."),
                Column("votes_en_contra", "integer", "Votos en contra."),
                Column("votes_abstencion", "integer", "Abstenciones."),
                Column("votes_blanco", "integer", "Votos en blanco."),
                Column("votes_ausente", "integer", "Ausentes en la votación."),
                Column("url", "url", "Página del punto."),
            ),
            modified=lambda: last,
            keywords=KEYWORDS,
        ),
        Dataset(
            slug="concejo-asistencia",
            title="Concejo Metropolitano: asistencia de concejales a las sesiones",
            description="La asistencia de cada concejal a cada sesión realizada del Concejo.",
            theme=THEME,
            frequency=CONTINUOUS,
            distributions=_distributions("asistencia"),
            dictionary=(
                *SESSION,
                Column("councillor_id", "integer", "Identificador del concejal."),
                Column("councillor", "string", "Nombre del concejal."),
                Column("party", "string", "Organización política."),
                Column("presence", "string", "Asistencia: presente, ausente, excusado o alterno."),
            ),
            modified=lambda: last,
            keywords=KEYWORDS,
        ),
        Dataset(
            slug="concejo-votaciones",
            title="Concejo Metropolitano: votaciones nominales por concejal",
            description=(
                "El voto de cada concejal (y de la silla vacía, a nombre de la organización "
                "acreditada) en cada punto del orden del día."
            ),
            theme=THEME,
            frequency=CONTINUOUS,
            distributions=_distributions("votaciones"),
            dictionary=(
                Column("session_id", "integer", "Identificador de la sesión."),
                Column("item_id", "integer", "Identificador del punto."),
                Column("position", "integer", "Orden del punto en la sesión."),
                Column(
                    "councillor_id", "integer", "Identificador del concejal (vacío: silla vacía)."
                ),
                Column("councillor", "string", "Nombre del concejal."),
                Column("party", "string", "Organización política."),
                Column(
                    "empty_seat_organisation",
                    "string",
                    "Organización acreditada que votó desde la silla vacía.",
                ),
                Column("choice", "string", f"Voto: {CHOICES}."),
            ),
            modified=lambda: last,
            keywords=KEYWORDS,
        ),
    ]

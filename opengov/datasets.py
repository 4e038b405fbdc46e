"""The open-government milestones as an open dataset (catalogue, DCAT, API)."""

from opendata.registry import IRREGULAR, Column, Dataset, Distribution, register

from . import selectors

register(
    Dataset(
        slug="gobierno-abierto-hitos",
        title="Compromisos de gobierno abierto: hitos y su cumplimiento",
        description=(
            "Cada hito de los planes de acción de gobierno abierto del Distrito Metropolitano "
            "de Quito, con su compromiso (número, título, responsable y contraparte), su "
            "estado según el último informe de cumplimiento (Cumplido, Cumplido* con su nota, "
            "Pendiente), sus verificables y el avance de su compromiso: la proporción de "
            "hitos cumplidos."
        ),
        theme="Gobierno abierto",
        frequency=IRREGULAR,
        distributions=(
            Distribution(format="CSV", url_name="opengov:milestones_csv"),
            Distribution(format="JSON", url_name="opengov:milestones_json"),
        ),
        dictionary=(
            Column("plan", "string", "Identificador del plan de acción (p. ej. paga-2)."),
            Column("plan_title", "string", "Nombre del plan de acción."),
            Column("plan_start_year", "integer", "Primer año del plan."),
            Column("plan_end_year", "integer", "Último año del plan."),
            Column("commitment_number", "integer", "Número del compromiso en el plan."),
            Column("commitment_title", "string", "Título del compromiso."),
            Column("responsible", "string", "Dependencia municipal responsable del compromiso."),
            Column("counterpart", "string", "Contraparte de la sociedad civil o la academia."),
            Column(
                "commitment_progress_percent",
                "decimal",
                "Avance del compromiso: hitos cumplidos (Cumplido o Cumplido*) sobre el total "
                "de sus hitos, en porcentaje con un decimal.",
            ),
            Column("milestone_number", "integer", "Número del hito en su compromiso."),
            Column("milestone_title", "string", "Descripción del hito."),
            Column(
                "status",
                "string",
                "Estado del hito: fulfilled (Cumplido), fulfilled_with_note (Cumplido*, con "
                "nota) o pending (Pendiente).",
            ),
            Column("status_label", "string", "El estado como lo escribe el informe."),
            Column(
                "status_note",
                "string",
                "Nota del estado: qué significa el asterisco de Cumplido*, u observación.",
            ),
            Column(
                "verifiables",
                "string",
                "Títulos de los verificables del hito, separados por « | » (en JSON, una lista "
                "de objetos con title y url).",
            ),
            Column(
                "verifiable_urls",
                "string",
                "Enlaces de los verificables, en el mismo orden, separados por « | » (vacío "
                "cuando el documento está en el repositorio del plan). Solo en CSV.",
            ),
        ),
        modified=selectors.last_modified,
        keywords=("gobierno abierto", "OGP Local", "compromisos", "hitos", "rendición de cuentas"),
    )
)

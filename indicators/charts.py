"""Server-rendered horizontal bar charts: the geometry, as plain values for a small SVG
template (indicators/includes/bar_chart.html), no JavaScript and no chart library.

Horizontal bars read well on a phone (labels above the bars, never squeezed beside them).
Series are told apart by fill pattern as well as colour, and every bar carries its series
and value in text, so no meaning rests on colour alone. The colours contrast at least 3:1
with the white background (WCAG 1.4.11) and the texts are the site's ink. The data table
beside each chart (same template) carries the same numbers for screen readers and copying.
"""

from django.utils.formats import number_format

WIDTH = 360
LABEL_HEIGHT = 20
BAR_HEIGHT = 18
BAR_GAP = 4
ROW_GAP = 10
TEXT_ROOM = 100  # room to the right of the longest bar for "2022: 1.234"
# (fill colour, pattern) per series: solid, hatched, dotted.
STYLES = (("#0b4f8a", "solid"), ("#8a3b00", "hatch"), ("#1e6b33", "dots"))


def format_value(value) -> str:
    if isinstance(value, float):
        return number_format(value, decimal_pos=2)
    return number_format(value)


def bar_chart(*, chart_id, title, description, series, rows, unit) -> dict:
    """`rows` is [(label, [value per series])]; values are numbers (0 for none)."""
    largest = max((value for _label, values in rows for value in values), default=0) or 1
    scale = (WIDTH - TEXT_ROOM) / largest
    styles = [
        {
            "name": name,
            "fill": STYLES[i % len(STYLES)][0],
            "pattern": STYLES[i % len(STYLES)][1],
            "pattern_id": f"{chart_id}-pattern-{i}",
        }
        for i, name in enumerate(series)
    ]
    y = 0
    drawn = []
    for label, values in rows:
        bars = []
        top = y + LABEL_HEIGHT
        for i, value in enumerate(values):
            bar_y = top + i * (BAR_HEIGHT + BAR_GAP)
            width = round(value * scale, 1)
            bars.append(
                {
                    "x": 0,
                    "y": bar_y,
                    "width": max(width, 1),
                    "height": BAR_HEIGHT,
                    "style": styles[i],
                    "text": f"{styles[i]['name']}: {format_value(value)}",
                    "text_x": max(width, 1) + 4,
                    "text_y": bar_y + BAR_HEIGHT - 4,  # 14 px text, centred on the bar
                }
            )
        drawn.append({"label": label, "label_y": y + 15, "bars": bars})
        y = top + len(values) * (BAR_HEIGHT + BAR_GAP) + ROW_GAP
    return {
        "id": chart_id,
        "title": title,
        "description": description,
        "width": WIDTH,
        "height": max(y, 1),
        "series": styles,
        "rows": drawn,
        "table": [
            {"label": label, "values": [{"raw": v, "text": format_value(v)} for v in values]}
            for label, values in rows
        ],
        "unit": unit,
    }

"""Charts drawn as plain SVG on the server, so one chart serves the web page and the PDF (no JS).

The core knows no register: `heatmap_svg` is handed a criteria object and only calls
`criteria.level(score)` (-> band with .name and .colour) and reads `criteria.band_list`. A grid that is
not scored (e.g. influence by interest) gives the criteria a `band_at(row, column)` instead and names its
axes with `Axes`."""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

SCALE = range(1, 6)
HEX = re.compile(r"#[0-9a-fA-F]{3,8}")
TEXT = "#1b1b1b"  # dark text on the light band colours keeps WCAG AA contrast


@dataclass(frozen=True)
class Axes:
    """The words of a 5x5 count grid; the defaults are the risk heat map's."""

    rows: str = "Likelihood"  # the y axis, 5 at the top
    columns: str = "Impact"  # the x axis
    one: str = "risk"
    many: str = "risks"
    band: str = "level"  # what a cell's colour and small print tell
    legend: str = "Level (score)"

    def count(self, n: int) -> str:
        return f"{n} {self.one if n == 1 else self.many}"


RISK = Axes()


def safe_colour(value: str) -> str:
    # Band colours are editable configuration: only plain hex reaches the SVG (no url(), no CSS).
    return value if HEX.fullmatch(value or "") else "#eeeeee"


def _cell(lik: int, imp: int, count: int, band, x: int, y: int, size: int, link, grid) -> str:
    axes, scored, small = grid
    level = band.name if band else f"no {axes.band}"
    score = f", score {lik * imp}" if scored else ""
    label = f"{axes.rows} {lik}, {axes.columns.lower()} {imp}: {axes.count(count)} ({level}{score})"
    colour = safe_colour(band.colour if band else "")
    weight = "bold" if count else "normal"
    body = (
        f'<rect x="{x}" y="{y}" width="{size}" height="{size}" fill="{colour}" '
        f'stroke="#ffffff" stroke-width="2"/>'
        f'<text x="{x + size / 2:g}" y="{y + size * 0.5:g}" text-anchor="middle" dominant-baseline="central" '
        f'font-size="{size * 0.32:.0f}" font-weight="{weight}" fill="{TEXT}">{count}</text>'
        # The band name in the cell too: the level is never told by colour alone.
        f'<text x="{x + size / 2:g}" y="{y + size - 5}" text-anchor="middle" font-size="{small:.0f}" '
        f'fill="{TEXT}">{escape(level)}</text>'
    )
    if link is None:
        return f'<g class="cell" aria-label="{escape(label)}">{body}</g>'
    # A dashboard figure (class "figure", data-count): its number is the count of the list it opens.
    return (
        f'<a class="cell figure" data-count="{count}" href="{escape(link(lik, imp))}" '
        f'aria-label="{escape(label)}">{body}</a>'
    )


def _fit(names, size: int) -> float:
    # One size for every band name in a chart, small enough for the longest (e.g. "Keep satisfied")
    # to stay inside its cell; 0.6 em is a generous average glyph width for DejaVu Sans.
    longest = max((len(name) for name in names), default=1)
    return min(size * 0.16, (size - 6) / (0.6 * longest))


def _legend_text(band) -> str:
    # Risk bands show their score range; bands that are not scored may say what they cover.
    detail = getattr(band, "detail", None) or f"{band.min}–{band.max}"
    return f"{escape(band.name)} ({escape(detail)})"


def heatmap_svg(
    matrix: dict[tuple[int, int], int],
    criteria,
    *,
    title: str,
    link: Callable[[int, int], str] | None = None,
    cell_size: int = 56,
    axes: Axes = RISK,
) -> SafeString:
    """A 5x5 likelihood (y, 5 at top) by impact (x) grid with counts, coloured by risk level.

    `matrix` maps (likelihood, impact) to a count (see registers.selectors.heat_matrix). With `link`,
    every cell -- empty ones too -- links to link(likelihood, impact), e.g. the filtered risk list.
    Other grids pass `axes` for their words and a criteria with `band_at(row, column)`."""
    band_at = getattr(criteria, "band_at", None)
    scored = band_at is None
    if scored:
        band_at = lambda row, column: criteria.level(row * column)  # noqa: E731
    size = cell_size
    left, top, grid = 64, 34, 5 * size
    legend_x = left + grid + 24
    bands = list(criteria.band_list)
    grid_words = (axes, scored, _fit([b.name for b in bands], size))
    # Wide enough for the longest legend line (about 7 px a character at 12 px).
    width = legend_x + max(170, 30 + 7 * max((len(_legend_text(b)) for b in bands), default=0))
    height = max(top + grid + 50, top + 40 + 24 * len(bands))
    total = sum(matrix.values())
    title_id = f"heatmap-{slugify(title) or 'chart'}"

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="heatmap" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" '
        # Under role="img" children are hidden from assistive technology, so a chart whose cells
        # are links is a group: each link keeps its own label and its place in the tab order.
        f'role="{"group" if link else "img"}" aria-labelledby="{title_id}">',
        f'<title id="{title_id}">{escape(title)}: {escape(axes.count(total))}</title>',
        f"<desc>Rows are {escape(axes.rows.lower())} 1 to 5, columns {escape(axes.columns.lower())} 1 to 5; "
        f"each cell shows its number of {escape(axes.many)} and {escape(axes.band)}.</desc>",
    ]
    parts.append(
        f'<text x="{left}" y="20" font-size="14" font-weight="bold" fill="{TEXT}">{escape(title)}</text>'
    )
    for lik in SCALE:
        y = top + (5 - lik) * size
        parts.append(
            f'<text x="{left - 8}" y="{y + size / 2:g}" text-anchor="end" dominant-baseline="central" '
            f'font-size="12" fill="{TEXT}" aria-hidden="true">{lik}</text>'
        )
        for imp in SCALE:
            x = left + (imp - 1) * size
            parts.append(
                _cell(lik, imp, matrix.get((lik, imp), 0), band_at(lik, imp), x, y, size, link, grid_words)
            )
    for imp in SCALE:
        parts.append(
            f'<text x="{left + (imp - 0.5) * size:g}" y="{top + grid + 16}" text-anchor="middle" '
            f'font-size="12" fill="{TEXT}" aria-hidden="true">{imp}</text>'
        )
    parts += [
        f'<text x="{left + grid / 2:g}" y="{top + grid + 38}" text-anchor="middle" font-size="12" '
        f'font-weight="bold" fill="{TEXT}" aria-hidden="true">{escape(axes.columns)} →</text>',
        f'<text transform="translate(18 {top + grid / 2:g}) rotate(-90)" text-anchor="middle" font-size="12" '
        f'font-weight="bold" fill="{TEXT}" aria-hidden="true">{escape(axes.rows)} →</text>',
        f'<g class="legend"><text x="{legend_x}" y="{top + 12}" font-size="12" font-weight="bold" '
        f'fill="{TEXT}">{escape(axes.legend)}</text>',
    ]
    for n, band in enumerate(bands):
        y = top + 24 + n * 24
        parts.append(
            f'<rect x="{legend_x}" y="{y}" width="16" height="16" fill="{safe_colour(band.colour)}" '
            f'stroke="#555555" stroke-width="0.5"/>'
            f'<text x="{legend_x + 24}" y="{y + 8}" dominant-baseline="central" font-size="12" '
            f'fill="{TEXT}">{_legend_text(band)}</text>'
        )
    parts.append("</g></svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated string above is escaped


# -- line chart ---------------------------------------------------------------------------------------
# Threshold lines: (keyword, label, colour, dash). Each line is named in text beside it, so a reader
# never has to tell target from breach by colour alone.
_THRESHOLDS = (
    ("target", "Target", "#1b5e20", "6 3"),
    ("warning", "Warning", "#8a5a00", "3 3"),
    ("breach", "Breach", "#8a1c14", "8 3 2 3"),
)


def _number(value) -> str:
    """A value as people write it: 0.8100 -> 0.81, 12.0 -> 12 (no exponent, no float noise)."""
    from decimal import Decimal

    text = format(Decimal(str(value)).normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _when(value) -> str:
    import datetime as dt

    from django.utils import timezone

    if isinstance(value, dt.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime("%Y-%m-%d")
    return value.isoformat()


def _timestamp(value) -> float:
    import datetime as dt

    if isinstance(value, dt.datetime):
        return value.timestamp()
    return dt.datetime.combine(value, dt.time()).timestamp()


def line_chart_svg(points, *, target=None, warning=None, breach=None, title: str, unit: str) -> SafeString:
    """A time series as SVG: `points` are (date or datetime, number) in any order; optional target,
    warning and breach values are drawn as labelled horizontal lines (ISO/IEC 42001 9.1: results
    against their criteria). Every point carries its date and value as a tooltip and for screen
    readers' description; an empty series draws a frame that says so."""
    width, height = 640, 280
    left, right, top, bottom = 64, 110, 34, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    series = sorted(((when, float(value)) for when, value in points), key=lambda p: _timestamp(p[0]))
    lines = [(label, float(v), colour, dash) for key, label, colour, dash in _THRESHOLDS
             if (v := {"target": target, "warning": warning, "breach": breach}[key]) is not None]  # fmt: skip
    suffix = f" {unit}" if unit else ""
    title_id = f"line-{slugify(title) or 'chart'}"
    if series:
        first, last = series[0], series[-1]
        summary = (
            f"{len(series)} measurement{'s' if len(series) != 1 else ''} from {_when(first[0])} to "
            f"{_when(last[0])}; latest {_number(last[1])}{suffix}."
        )
    else:
        summary = "No measurements yet."
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="line-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" role="img" '
        f'aria-labelledby="{title_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f"<desc>{escape(summary)}</desc>",
        f'<text x="{left}" y="20" font-size="14" font-weight="bold" fill="{TEXT}">{escape(title)}</text>',
        f'<rect x="{left}" y="{top}" width="{plot_w}" height="{plot_h}" fill="#ffffff" stroke="#c9ced6"/>',
    ]
    values = [v for _, v in series] + [v for _, v, _, _ in lines]
    if not values:
        parts.append(
            f'<text x="{left + plot_w / 2:g}" y="{top + plot_h / 2:g}" text-anchor="middle" font-size="13" '
            f'fill="{TEXT}">No measurements yet</text></svg>'
        )
        return mark_safe("".join(parts))  # noqa: S308 - the title is escaped
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1.0  # a flat series still gets a visible band
    low, high = low - pad, high + pad

    def y_of(value: float) -> float:
        return top + plot_h - (value - low) / (high - low) * plot_h

    times = [_timestamp(when) for when, _ in series]
    start, end = (min(times), max(times)) if times else (0.0, 0.0)

    def x_of(stamp: float) -> float:
        return left + plot_w / 2 if end == start else left + (stamp - start) / (end - start) * plot_w

    for n in range(5):  # y axis: five ticks over the visible range
        value = low + (high - low) * n / 4
        y = y_of(value)
        parts.append(
            f'<line x1="{left - 4}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#eef0f3"/>'
            f'<text x="{left - 8}" y="{y:.1f}" text-anchor="end" dominant-baseline="central" font-size="11" '
            f'fill="{TEXT}" aria-hidden="true">{escape(_number(round(value, 4)))}</text>'
        )
    for label, value, colour, dash in lines:
        y = y_of(value)
        parts.append(
            f'<g class="threshold"><line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" '
            f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="{dash}"/>'
            f'<text x="{left + plot_w + 6}" y="{y:.1f}" dominant-baseline="central" font-size="11" '
            f'fill="{colour}">{escape(label)} {escape(_number(value))}</text></g>'
        )
    if series:
        coords = [(x_of(t), y_of(v)) for t, (_, v) in zip(times, series, strict=True)]
        if len(coords) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
            parts.append(f'<polyline points="{path}" fill="none" stroke="#1f4e79" stroke-width="2"/>')
        for (x, y), (when, value) in zip(coords, series, strict=True):
            tip = f"{_when(when)}: {_number(value)}{suffix}"
            parts.append(
                f'<circle class="point" cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#1f4e79">'
                f"<title>{escape(tip)}</title></circle>"
            )
        parts += [
            f'<text x="{left}" y="{top + plot_h + 18}" font-size="11" fill="{TEXT}" aria-hidden="true">'
            f"{escape(_when(series[0][0]))}</text>",
            f'<text x="{left + plot_w}" y="{top + plot_h + 18}" text-anchor="end" font-size="11" '
            f'fill="{TEXT}" aria-hidden="true">{escape(_when(series[-1][0]))}</text>',
        ]
    else:
        parts.append(
            f'<text x="{left + plot_w / 2:g}" y="{top + plot_h / 2:g}" text-anchor="middle" font-size="13" '
            f'fill="{TEXT}">No measurements yet</text>'
        )
    if unit:
        parts.append(
            f'<text transform="translate(14 {top + plot_h / 2:g}) rotate(-90)" text-anchor="middle" '
            f'font-size="11" fill="{TEXT}" aria-hidden="true">{escape(unit)}</text>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated string above is escaped


# -- horizontal bar chart -----------------------------------------------------------------------------
def hbar_chart_svg(bars, *, title: str, maximum: float = 1.0, marker=None, unit: str = "") -> SafeString:
    """One horizontal bar per (label, value) -- e.g. the selection rate of each group in a bias
    assessment (A.7.4, A.6.2.4). Every bar carries its value in text beside it, so nothing is told by
    length or colour alone; a value of None is written "n/a". `marker` = (value, label) draws a dashed
    reference line (e.g. four-fifths of the highest rate)."""
    bars = [(str(label), None if value is None else float(value)) for label, value in bars]
    label_w = min(220, max(60, 20 + 7 * max((len(label) for label, _ in bars), default=4)))
    width, bar, gap, top = label_w + 380, 18, 10, 34
    plot_w = width - label_w - 70
    has_marker = marker is not None and marker[0] is not None
    height = top + max(1, len(bars)) * (bar + gap) + (44 if has_marker else 30)
    top_value = max([maximum] + [v for _, v in bars if v is not None]) or 1.0
    suffix = f" {unit}" if unit else ""
    title_id = f"bars-{slugify(title) or 'chart'}"

    def x_of(value: float) -> float:
        return label_w + value / top_value * plot_w

    summary = "; ".join(
        f"{label}: {'n/a' if v is None else _number(round(v, 4))}{suffix}" for label, v in bars
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="DejaVu Sans, Arial, sans-serif" role="img" '
        f'aria-labelledby="{title_id}">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f"<desc>{escape(summary or 'No values.')}</desc>",
        f'<text x="4" y="20" font-size="14" font-weight="bold" fill="{TEXT}">{escape(title)}</text>',
    ]
    if not bars:
        parts.append(f'<text x="{label_w}" y="{top + 14}" font-size="13" fill="{TEXT}">No values yet</text>')
    for i, (label, value) in enumerate(bars):
        y = top + i * (bar + gap)
        parts.append(
            f'<text x="{label_w - 8}" y="{y + bar - 4}" text-anchor="end" font-size="12" '
            f'fill="{TEXT}">{escape(label)}</text>'
        )
        if value is None:
            parts.append(f'<text x="{label_w + 4}" y="{y + bar - 4}" font-size="12" fill="#555">n/a</text>')
            continue
        shown = f"{_number(round(value, 4))}{suffix}"
        parts.append(
            f'<rect x="{label_w}" y="{y}" width="{max(0.0, x_of(value) - label_w):.1f}" height="{bar}" '
            f'fill="#1f4e79"><title>{escape(label)}: {escape(shown)}</title></rect>'
            f'<text x="{x_of(value) + 4:.1f}" y="{y + bar - 4}" font-size="12" fill="{TEXT}">'
            f"{escape(shown)}</text>"
        )
    axis_y = top + max(1, len(bars)) * (bar + gap)
    parts.append(
        f'<line x1="{label_w}" y1="{top - 4}" x2="{label_w}" y2="{axis_y}" stroke="#8a9099"/>'
        f'<text x="{label_w}" y="{axis_y + 14}" text-anchor="middle" font-size="11" fill="{TEXT}" '
        f'aria-hidden="true">0</text>'
        f'<text x="{label_w + plot_w}" y="{axis_y + 14}" text-anchor="middle" font-size="11" fill="{TEXT}" '
        f'aria-hidden="true">{escape(_number(round(top_value, 4)))}</text>'
    )
    if has_marker:
        x = x_of(float(marker[0]))
        parts.append(
            f'<g class="marker"><line x1="{x:.1f}" y1="{top - 8}" x2="{x:.1f}" y2="{axis_y}" stroke="#8a1c14" '
            f'stroke-width="1.5" stroke-dasharray="5 3"/><text x="{x + 4:.1f}" y="{axis_y + 26}" '
            f'font-size="11" fill="#8a1c14">{escape(marker[1])}</text></g>'
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - every interpolated string above is escaped

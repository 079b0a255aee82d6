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
    return f'<a class="cell" href="{escape(link(lik, imp))}" aria-label="{escape(label)}">{body}</a>'


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
    if link:
        parts.append("<style>a.cell:focus rect, a.cell:hover rect {stroke: #000; stroke-width: 3}</style>")
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

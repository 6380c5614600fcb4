"""The transfers funnel as server-side SVG: no JavaScript, readable without colour (every bar
carries its words and number), scaled to the screen, and described for screen readers (a title,
a summary, and the page's table of the same numbers)."""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from ..transfers.board import STAGES, Point

WIDTH = 320  # drawn at a phone's width; the viewBox scales it
LABEL = 18
BAR = 15
GAP = 10
SHADES = ("#b7d7cc", "#7fb8a4", "#3f8f76", "#135e4b")  # later stages darker; the words say which


def funnel_svg(points: list[Point], t: Callable[..., str]) -> Markup:
    if not points:
        return Markup("")
    groups = [p for p in points if p.cohort]
    height = max(1, len(groups)) * (LABEL + len(STAGES) * BAR + GAP)
    parts = [
        f'<svg class="funnel" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" '
        f'aria-labelledby="funnel-title funnel-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="funnel-title">{escape(t("funnel.title"))}</title>',
        f'<desc id="funnel-desc">{escape(_summary(points, t))}</desc>',
    ]
    y = 0
    for p in groups:
        parts.append(
            f'<text x="0" y="{y + 13}" font-size="12" font-weight="600">'
            f"{escape(t('funnel.day', day=p.day, count=p.cohort))}</text>"
        )
        y += LABEL
        for stage, shade in zip(STAGES, SHADES, strict=True):
            n = getattr(p, stage)
            width = round((WIDTH - 2) * n / p.cohort) if p.cohort else 0
            share = f"{n * 100 // p.cohort}%" if p.cohort else "-"
            label = f"{t('count.' + stage)} {n} ({share})"
            parts.append(
                f'<rect x="0" y="{y}" width="{max(width, 1)}" height="{BAR - 3}" fill="{shade}" '
                'stroke="#1d2327" stroke-width="0.5"/>'
                f'<text x="4" y="{y + 10}" font-size="10" fill="#1d2327" paint-order="stroke" '
                f'stroke="#fff" stroke-width="2.5">{escape(label)}</text>'
            )
            y += BAR
        y += GAP
    parts.append("</svg>")
    return Markup("".join(parts))


def _summary(points: list[Point], t: Callable[..., str]) -> str:
    last = next((p for p in reversed(points) if p.cohort), None)
    if last is None:
        return t("funnel.empty")
    return t(
        "funnel.summary",
        day=last.day,
        count=last.cohort,
        notified=last.notified,
        delivered=last.delivered,
        acknowledged=last.acknowledged,
        arrived=last.arrived,
    )

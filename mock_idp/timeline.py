"""A server-rendered SVG timeline of tokens and the requests that used them.

Each token is a bar from issue to expiry on the mock clock's axis. Each
request that presented a token is a mark on that token's bar, coloured by
its outcome. The ``data-*`` attributes carry the raw times, so tests and
tools can read the picture without parsing colours.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from markupsafe import Markup
from markupsafe import escape

#: Outcome of a request that presented a token, with its mark colour.
OUTCOME_COLOURS = {
    "accepted": "#1a7f37",
    "expired": "#b35900",
    "revoked": "#a4262c",
    "insufficient_scope": "#6f42c1",
    "rejected": "#4a4a4a",
}

#: Bar colours by the token's state now.
STATE_COLOURS = {"active": "#005a9c", "expired": "#8c8c8c", "revoked": "#d9a3a6"}

#: Candidate tick spacings in seconds, from a minute to a day.
TICK_STEPS = (60, 300, 600, 1800, 3600, 7200, 10800, 21600, 43200, 86400)

WIDTH = 760
LABEL_WIDTH = 170
PLOT_LEFT = LABEL_WIDTH + 10
PLOT_RIGHT = WIDTH - 20
#: Room above the first bar for the tick labels and the "now" label, tall
#: enough for the larger font that the inspector uses on narrow screens.
AXIS_HEIGHT = 56
ROW_HEIGHT = 36
#: Vertical shifts of a mark that would cover an earlier one, in pixels.
MARK_OFFSETS = (0, -9, 9)
#: Height of the legend's two rows: bar states, then request outcomes.
LEGEND_HEIGHT = 56
#: Space below the plot when the legend is left out.
BOTTOM_MARGIN = 8
#: Distance from a plot edge within which the "now" label is aligned to
#: that side of its line, so that it is not cut off by the SVG's edge.
#: The value is an estimate of half the label's width at font size 22.
NOW_LABEL_ROOM = 80
#: Maximum number of axis ticks, so that their labels do not touch.
MAX_TICKS = 7


@dataclass(frozen=True, kw_only=True)
class TimelineToken:
    """One access token's bar: its id, a label and its lifetime."""

    token_id: str
    label: str
    issued_at: float
    expires_at: float
    state: str


@dataclass(frozen=True, kw_only=True)
class TimelineMark:
    """One request that presented a token, at its mock-clock time."""

    token_id: str
    at: float
    outcome: str
    label: str


@dataclass(frozen=True)
class Axis:
    """The mapping from mock-clock seconds to x positions of the plot area."""

    start: float
    end: float

    def x(self, instant: float) -> float:
        span = self.end - self.start
        fraction = (instant - self.start) / span if span > 0 else 0.0
        return round(PLOT_LEFT + fraction * (PLOT_RIGHT - PLOT_LEFT), 2)


def choose_axis(
    tokens: list[TimelineToken], marks: list[TimelineMark], now: float
) -> Axis:
    """Return an axis over every bar, mark and the current time, with a margin."""
    instants = [now]
    for token in tokens:
        instants += [token.issued_at, token.expires_at]
    instants += [mark.at for mark in marks]
    start, end = min(instants), max(instants)
    margin = max((end - start) * 0.03, 30.0)
    return Axis(start - margin, end + margin)


def render_timeline(
    tokens: list[TimelineToken],
    marks: list[TimelineMark],
    now: float,
    *,
    legend: bool = True,
) -> Markup:
    """Render the timeline as an SVG element.

    Without ``legend`` the SVG ends below the bars, for a page that shows
    the legend in HTML, which stays readable when the SVG is scaled down.
    """
    axis = choose_axis(tokens, marks, now)
    rows = {token.token_id: index for index, token in enumerate(tokens)}
    bottom = AXIS_HEIGHT + ROW_HEIGHT * max(len(tokens), 1)
    height = bottom + (LEGEND_HEIGHT if legend else BOTTOM_MARGIN)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" id="timeline" role="img" '
        f'aria-labelledby="timeline-title timeline-desc" width="100%" '
        f'viewBox="0 0 {WIDTH} {height}" data-axis-start="{axis.start}" '
        f'data-axis-end="{axis.end}" data-plot-left="{PLOT_LEFT}" '
        f'data-plot-right="{PLOT_RIGHT}" data-now="{now}" '
        'font-family="system-ui,sans-serif" font-size="12">',
        '<title id="timeline-title">Tokens and the requests that used them</title>',
        f'<desc id="timeline-desc">{len(tokens)} token(s) from issue to expiry '
        f"and {len(marks)} request(s) on the mock clock (UTC).</desc>",
    ]
    parts += _axis_ticks(axis, bottom)
    for token in tokens:
        parts += _token_bar(token, rows[token.token_id], axis)
    placed: dict[int, list[float]] = {}
    for mark in marks:
        if mark.token_id not in rows:
            continue
        row = rows[mark.token_id]
        x = axis.x(mark.at)
        # Marks closer than their width would hide each other, so each one
        # near an earlier mark moves up or down; x always stays exact.
        crowd = sum(1 for other in placed.setdefault(row, []) if abs(other - x) < 12)
        placed[row].append(x)
        parts.append(_mark(mark, row, axis, MARK_OFFSETS[crowd % len(MARK_OFFSETS)]))
    parts.append(_now_line(axis, now, bottom))
    if legend:
        parts += _legend(bottom)
    parts.append("</svg>")
    return Markup("\n".join(parts))


def clock_label(instant: float, seconds: bool = False) -> str:
    pattern = "%H:%M:%S" if seconds else "%H:%M"
    return time.strftime(pattern, time.gmtime(instant))


def _axis_ticks(axis: Axis, bottom: int) -> list[str]:
    span = axis.end - axis.start
    step = next((s for s in TICK_STEPS if span / s <= MAX_TICKS), TICK_STEPS[-1])
    first = (int(axis.start) // step + 1) * step
    lines = []
    for tick in range(first, int(axis.end) + 1, step):
        x = axis.x(tick)
        lines.append(
            f'<line x1="{x}" y1="{AXIS_HEIGHT - 8}" x2="{x}" y2="{bottom}" '
            'stroke="#d0d0d0"/>'
            f'<text x="{x}" y="{AXIS_HEIGHT - 14}" text-anchor="middle" '
            f'fill="#1b1b1b">{clock_label(tick)}</text>'
        )
    return lines


def _row_top(row: int) -> int:
    return AXIS_HEIGHT + row * ROW_HEIGHT


def _token_bar(token: TimelineToken, row: int, axis: Axis) -> list[str]:
    top = _row_top(row)
    left = axis.x(token.issued_at)
    width = max(axis.x(token.expires_at) - left, 1.0)
    colour = STATE_COLOURS.get(token.state, STATE_COLOURS["active"])
    tooltip = (
        f"{token.label}: issued {clock_label(token.issued_at, True)}, "
        f"expires {clock_label(token.expires_at, True)} ({token.state})"
    )
    return [
        f'<text x="{LABEL_WIDTH}" y="{top + 19}" text-anchor="end" '
        f'fill="#1b1b1b">{escape(token.label)}</text>',
        f'<rect class="token" data-token="{escape(token.token_id)}" '
        f'data-issued-at="{token.issued_at}" data-expires-at="{token.expires_at}" '
        f'data-state="{escape(token.state)}" x="{left}" y="{top + 8}" '
        f'width="{round(width, 2)}" height="14" rx="3" fill="{colour}">'
        f"<title>{escape(tooltip)}</title></rect>",
    ]


def _mark(mark: TimelineMark, row: int, axis: Axis, offset: int) -> str:
    colour = OUTCOME_COLOURS.get(mark.outcome, OUTCOME_COLOURS["rejected"])
    tooltip = f"{clock_label(mark.at, True)} {mark.label}: {mark.outcome}"
    return (
        f'<circle class="request" data-token="{escape(mark.token_id)}" '
        f'data-outcome="{escape(mark.outcome)}" data-at="{mark.at}" '
        f'cx="{axis.x(mark.at)}" cy="{_row_top(row) + 15 + offset}" r="5" '
        f'fill="{colour}" stroke="#fff" stroke-width="1.5">'
        f"<title>{escape(tooltip)}</title></circle>"
    )


def _now_line(axis: Axis, now: float, bottom: int) -> str:
    x = axis.x(now)
    anchor = "middle"
    if x > PLOT_RIGHT - NOW_LABEL_ROOM:
        anchor = "end"
    elif x < PLOT_LEFT + NOW_LABEL_ROOM:
        anchor = "start"
    return (
        f'<line id="now" x1="{x}" y1="{AXIS_HEIGHT - 8}" x2="{x}" '
        f'y2="{bottom}" stroke="#1b1b1b" stroke-dasharray="4 3"/>'
        f'<text id="now-label" x="{x}" y="{AXIS_HEIGHT - 32}" '
        f'text-anchor="{anchor}" font-weight="600" fill="#1b1b1b">'
        f"now {clock_label(now, True)}</text>"
    )


def _legend(bottom: int) -> list[str]:
    """Return the legend's rows: bar colours, then request mark colours."""
    items = ['<g class="legend" fill="#1b1b1b">']
    y = bottom + 22
    x = PLOT_LEFT
    items.append(f'<text x="{LABEL_WIDTH}" y="{y}" text-anchor="end">Token</text>')
    for state, colour in STATE_COLOURS.items():
        items.append(
            f'<rect x="{x - 6}" y="{y - 9}" width="18" height="10" rx="2" '
            f'fill="{colour}"/><text x="{x + 16}" y="{y}">{state}</text>'
        )
        x += 30 + 7 * len(state)

    y += 22
    x = PLOT_LEFT
    items.append(f'<text x="{LABEL_WIDTH}" y="{y}" text-anchor="end">Request</text>')
    for outcome, colour in OUTCOME_COLOURS.items():
        items.append(
            f'<circle cx="{x}" cy="{y - 4}" r="6" fill="{colour}"/>'
            f'<text x="{x + 10}" y="{y}">{outcome.replace("_", " ")}</text>'
        )
        x += 24 + 7 * len(outcome)
    items.append("</g>")
    return items

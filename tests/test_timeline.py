"""The inspector's timeline SVG and the data it is built from."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from mock_idp.inspector_data import break_after_slashes
from mock_idp.inspector_data import describe_remaining
from mock_idp.inspector_data import request_outcome
from mock_idp.inspector_data import short_fingerprint
from mock_idp.journal import JournalEntry
from mock_idp.journal import fingerprint
from mock_idp.timeline import OUTCOME_COLOURS
from mock_idp.timeline import PLOT_LEFT
from mock_idp.timeline import PLOT_RIGHT
from mock_idp.timeline import STATE_COLOURS
from mock_idp.timeline import WIDTH
from mock_idp.timeline import TimelineMark
from mock_idp.timeline import TimelineToken
from mock_idp.timeline import render_timeline

SVG = "{http://www.w3.org/2000/svg}"
START = 1_800_000_000.0


def make_token(token_id: str, issued_at: float, lifetime: float) -> TimelineToken:
    return TimelineToken(
        token_id=token_id,
        label=f"jan · {token_id}",
        issued_at=issued_at,
        expires_at=issued_at + lifetime,
        state="active",
    )


def make_entry(**values: object) -> JournalEntry:
    return JournalEntry(id=1, method="GET", path="/o/userinfo/", endpoint="x", **values)


def test_timeline_bar_spans_issue_to_expiry() -> None:
    token = make_token("a", START, 3600)
    svg = ET.fromstring(str(render_timeline([token], [], START)))
    (bar,) = svg.findall(f"{SVG}rect")

    start = float(svg.attrib["data-axis-start"])
    end = float(svg.attrib["data-axis-end"])
    width = PLOT_RIGHT - PLOT_LEFT
    assert float(bar.attrib["x"]) == pytest.approx(
        PLOT_LEFT + (START - start) / (end - start) * width, abs=0.01
    )
    assert float(bar.attrib["width"]) == pytest.approx(
        3600 / (end - start) * width, abs=0.02
    )


def test_timeline_marks_follow_their_token_row() -> None:
    tokens = [make_token("a", START, 600), make_token("b", START + 300, 600)]
    marks = [
        TimelineMark(token_id="b", at=START + 400, outcome="accepted", label="x"),
        TimelineMark(token_id="a", at=START + 700, outcome="expired", label="y"),
        TimelineMark(token_id="gone", at=START, outcome="accepted", label="z"),
    ]
    svg = ET.fromstring(str(render_timeline(tokens, marks, START + 800)))
    circles = svg.findall(f"{SVG}circle[@class='request']")

    assert [c.attrib["data-token"] for c in circles] == ["b", "a"]
    assert float(circles[0].attrib["cy"]) > float(circles[1].attrib["cy"])
    assert circles[1].attrib["data-outcome"] == "expired"


def test_timeline_escapes_labels() -> None:
    token = TimelineToken(
        token_id="a",
        label="<script>",
        issued_at=START,
        expires_at=START + 60,
        state="active",
    )
    markup = str(render_timeline([token], [], START))

    assert "<script>" not in markup
    assert "&lt;script&gt;" in markup


def test_timeline_without_tokens_is_valid_svg() -> None:
    svg = ET.fromstring(str(render_timeline([], [], START)))

    assert svg.findall(f".//{SVG}rect[@class='token']") == []


def test_timeline_legend_shows_bar_and_mark_colours() -> None:
    svg = ET.fromstring(str(render_timeline([make_token("a", START, 60)], [], START)))
    legend = svg.find(f"{SVG}g[@class='legend']")
    assert legend is not None

    swatches = {rect.attrib["fill"] for rect in legend.iter(f"{SVG}rect")}
    dots = {circle.attrib["fill"] for circle in legend.iter(f"{SVG}circle")}
    words = {text.text for text in legend.iter(f"{SVG}text")}
    assert swatches == set(STATE_COLOURS.values())
    assert dots == set(OUTCOME_COLOURS.values())
    assert set(STATE_COLOURS) <= words


def test_timeline_without_legend_is_shorter() -> None:
    token = make_token("a", START, 60)
    with_legend = ET.fromstring(str(render_timeline([token], [], START)))
    without = ET.fromstring(str(render_timeline([token], [], START, legend=False)))

    assert without.find(f"{SVG}g[@class='legend']") is None
    height = float(with_legend.attrib["viewBox"].split()[3])
    assert float(without.attrib["viewBox"].split()[3]) < height


@pytest.mark.parametrize(
    ("now", "anchor"),
    [(START, "start"), (START + 1800, "middle"), (START + 3600, "end")],
)
def test_timeline_now_label_stays_inside(now: float, anchor: str) -> None:
    token = make_token("a", START, 3600)
    svg = ET.fromstring(str(render_timeline([token], [], now)))
    label = svg.find(f"{SVG}text[@id='now-label']")
    assert label is not None

    assert label.attrib["text-anchor"] == anchor
    assert PLOT_LEFT <= float(label.attrib["x"]) <= WIDTH


def test_short_fingerprint_keeps_token_prefix() -> None:
    value = fingerprint("0Yu7S0abcdefghijklmnop")

    assert short_fingerprint(value) == "0Yu7S0…"
    assert short_fingerprint("plain") == "plain"


def test_break_after_slashes_escapes_parts() -> None:
    markup = break_after_slashes("/o/<b>/")

    assert str(markup) == "/<wbr>o/<wbr>&lt;b&gt;/<wbr>"


@pytest.mark.parametrize(
    ("values", "outcome"),
    [
        ({"status": 200, "token_status": "active"}, "accepted"),
        ({"status": 401, "token_status": "expired"}, "expired"),
        ({"status": 401, "token_status": "revoked"}, "revoked"),
        (
            {"status": 403, "token_status": "active", "error": "insufficient_scope"},
            "insufficient_scope",
        ),
        ({"status": 401, "token_status": "unknown"}, "rejected"),
        ({"status": None, "token_status": "active", "dropped": True}, "rejected"),
    ],
)
def test_request_outcome_classifies_entry(
    values: dict[str, object], outcome: str
) -> None:
    assert request_outcome(make_entry(**values)) == outcome


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (36000, "10 h 0 min"),
        (125, "2 min 5 s"),
        (9, "9 s"),
        (0, "expired 0 s ago"),
        (-120, "expired 2 min 0 s ago"),
    ],
)
def test_describe_remaining_formats_duration(seconds: float, text: str) -> None:
    assert describe_remaining(seconds) == text

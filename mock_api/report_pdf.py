"""Render report PDFs with reportlab, using only its built-in Helvetica fonts.

A filled report lists each component's label with the submitted value, and
datagrid rows as a table. An empty form is a fillable AcroForm with one field
per component, named by the component key.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph
from reportlab.platypus import SimpleDocTemplate
from reportlab.platypus import Spacer
from reportlab.platypus import Table
from reportlab.platypus import TableStyle

if TYPE_CHECKING:
    from mock_api.reports import ReportRequest

MAX_VALUE_LENGTH = 2000
MAX_GRID_ROWS = 200
EMPTY_VALUE = "—"
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
PDF_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")

# Default sections: the title and the `data` key each is read from.
DEFAULT_SECTIONS = (
    ("Opdrachtgever", "client"),
    ("Installatie", "installation"),
    ("Rapportgegevens", "report_info"),
)
# Fillable fields added to an empty form when add_default_fields is true.
DEFAULT_EMPTY_FIELDS = (
    ("tn_client_contact_person", "Contactpersoon opdrachtgever"),
    ("tn_installation", "Installatie"),
    ("tn_report_visit_date", "Datum bezoek"),
)

STYLES = getSampleStyleSheet()


def render_filled_report(request: ReportRequest) -> bytes:
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=A4, title=clean_text(request.title), author="tn-mock"
    )
    story: list[Any] = [Paragraph(markup(request.title), STYLES["Title"])]
    if request.form_code:
        story.append(Paragraph(markup(form_reference(request)), STYLES["Normal"]))
    if request.add_default_fields:
        story.extend(build_default_sections(request.data))
    story.extend(build_component_flowables(request.components, request.data))
    document.build(story)

    return buffer.getvalue()


def form_reference(request: ReportRequest) -> str:
    if request.form_version is None:
        return f"Formulier {request.form_code}"

    return f"Formulier {request.form_code}, versie {request.form_version}"


def build_default_sections(data: Mapping[str, Any]) -> Iterator[Any]:
    for title, key in DEFAULT_SECTIONS:
        yield Paragraph(markup(title), STYLES["Heading2"])
        rows = list(flatten(data.get(key) or {}, prefix=f"{key}."))
        if not rows:
            rows = [[key, EMPTY_VALUE]]
        yield build_table([["Veld", "Waarde"], *rows])


def build_component_flowables(
    components: list[dict[str, Any]], data: Mapping[str, Any]
) -> Iterator[Any]:
    for component in components:
        label = component.get("label") or component["key"]
        if component.get("type") == "datagrid":
            yield Paragraph(markup(label), STYLES["Heading3"])
            yield build_grid_table(component, data.get(component["key"]))
        elif component.get("components"):
            # A layout container such as a panel: its label becomes a heading.
            yield Paragraph(markup(label), STYLES["Heading2"])
            yield from build_component_flowables(component["components"], data)
        else:
            value = format_value(component, data.get(component["key"]))
            yield Paragraph(f"<b>{markup(label)}</b>", STYLES["Normal"])
            yield Paragraph(markup(value), STYLES["Normal"])
            yield Spacer(1, 2 * mm)


def build_grid_table(grid: dict[str, Any], rows: Any) -> Any:
    columns = grid.get("components") or []
    header = [column.get("label") or column["key"] for column in columns]
    if not isinstance(rows, list) or not rows:
        return Paragraph(markup(EMPTY_VALUE), STYLES["Normal"])

    body = []
    for row in rows[:MAX_GRID_ROWS]:
        cells = row if isinstance(row, dict) else {}
        body.append(
            [format_value(column, cells.get(column["key"])) for column in columns]
        )
    if len(rows) > MAX_GRID_ROWS:
        # NOTE: longer grids are cut to keep rendering fast, and a last row
        # tells the reader how many rows are missing.
        body.append([f"... nog {len(rows) - MAX_GRID_ROWS} rijen niet getoond"])

    return build_table([header, *body] if header else body)


def build_table(rows: list[list[str]] | list[Any]) -> Table:
    width = max(len(row) for row in rows)
    cells = [
        [Paragraph(markup(str(cell)), STYLES["BodyText"]) for cell in row]
        + [""] * (width - len(row))
        for row in rows
    ]
    table = Table(cells, colWidths=[170 * mm / width] * width, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )

    return table


def flatten(value: Any, prefix: str) -> Iterator[list[str]]:
    """Yield [path, text] rows for a nested object, such as data["client"]."""
    if not isinstance(value, dict):
        yield [prefix.rstrip("."), format_plain(value)]
        return
    for key, item in value.items():
        if isinstance(item, dict):
            yield from flatten(item, f"{prefix}{key}.")
        else:
            yield [f"{prefix}{key}", format_plain(item)]


def format_value(component: Mapping[str, Any], value: Any) -> str:
    """Format a submitted value, showing a radio option by its label."""
    options = component.get("values") or []
    if component.get("type") == "radio" and isinstance(value, str):
        for option in options:
            if option.get("value") == value:
                return str(option.get("label", value))
    if component.get("type") == "photo" and isinstance(value, list):
        names = ", ".join(format_plain(item) for item in value)
        return f"{len(value)} foto('s): {names}" if value else EMPTY_VALUE

    return format_plain(value)


def format_plain(value: Any) -> str:
    if value is None or value == "":
        return EMPTY_VALUE
    if isinstance(value, bool):
        return "Ja" if value else "Nee"
    if isinstance(value, list):
        text = ", ".join(format_plain(item) for item in value)
    elif isinstance(value, dict):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    if len(text) > MAX_VALUE_LENGTH:
        text = text[:MAX_VALUE_LENGTH] + "..."

    return text


def clean_text(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


def markup(text: str) -> str:
    """Escape text for a reportlab Paragraph, keeping its line breaks."""
    return escape(clean_text(text)).replace("\n", "<br/>")


def render_empty_form(request: ReportRequest) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    canvas.setTitle(clean_text(request.title))
    layout = EmptyFormLayout(canvas)
    layout.write(request.title, size=16)
    if request.add_default_fields:
        for name, label in DEFAULT_EMPTY_FIELDS:
            layout.add_text_field(name, label, lines=1)
    layout.add_components(request.components)
    # save() drops a last page that has fields but no drawing, which would
    # leave the fields pointing at a missing page, so end the page here.
    canvas.showPage()
    canvas.save()

    return buffer.getvalue()


class EmptyFormLayout:
    """Place labels and AcroForm fields top-down, starting new pages as needed."""

    left = 20 * mm
    width = 170 * mm
    top = A4[1] - 20 * mm
    bottom = 20 * mm

    def __init__(self, canvas: Canvas) -> None:
        self.canvas = canvas
        self.y = self.top

    def write(self, text: str, size: int = 10) -> None:
        for line in simpleSplit(clean_text(text), "Helvetica", size, self.width):
            self.reserve(size + 4)
            self.canvas.setFont("Helvetica", size)
            self.canvas.drawString(self.left, self.y - size, line)
            self.y -= size + 4

    def reserve(self, height: float) -> None:
        if self.y - height < self.bottom:
            self.canvas.showPage()
            self.y = self.top

    def add_components(self, components: list[dict[str, Any]]) -> None:
        for component in components:
            label = component.get("label") or component["key"]
            kind = component.get("type")
            if kind != "datagrid" and component.get("components"):
                self.write(label, size=12)
                self.add_components(component["components"])
            elif kind == "radio" and component.get("values"):
                self.add_radio_group(component["key"], label, component["values"])
            elif kind in ("textarea", "datagrid"):
                if kind == "datagrid":
                    columns = [
                        c.get("label") or c["key"] for c in component["components"]
                    ]
                    label = f"{label} (kolommen: {', '.join(columns)})"
                self.add_text_field(component["key"], label, lines=4)
            else:
                self.add_text_field(component["key"], label, lines=1)

    def add_text_field(self, name: str, label: str, lines: int) -> None:
        height = 16 * lines + 2
        # Keep the label on the page of its field.
        self.reserve(height + 20)
        self.write(label)
        self.reserve(height + 6)
        self.canvas.acroForm.textfield(
            name=name,
            tooltip=clean_text(label),
            x=self.left,
            y=self.y - height,
            width=self.width,
            height=height,
            fontSize=10,
            borderWidth=0.5,
            fieldFlags="multiline" if lines > 1 else "",
        )
        self.y -= height + 6

    def add_radio_group(
        self, name: str, label: str, options: list[dict[str, Any]]
    ) -> None:
        self.write(label)
        used: set[str] = set()
        for index, option in enumerate(options):
            export = PDF_NAME_UNSAFE.sub("_", str(option.get("value", ""))) or "x"
            if export in used:
                export = f"{export}_{index}"
            used.add(export)
            self.reserve(18)
            self.canvas.acroForm.radio(
                name=name,
                value=export,
                tooltip=clean_text(label),
                x=self.left,
                y=self.y - 14,
                size=12,
                buttonStyle="circle",
                borderWidth=0.5,
                fieldFlags="noToggleToOff radio",
            )
            self.canvas.setFont("Helvetica", 10)
            self.canvas.drawString(
                self.left + 18, self.y - 11, clean_text(str(option.get("label", "")))
            )
            self.y -= 18
        self.y -= 4

"""Validate report requests and render them as PDF, for the Reports endpoint.

The body names a form by `form_code` (a catalogue form) or carries it whole
as `form_json`. Whether the caller may send `form_json` is a permission
check that belongs to the view, which can call `uses_form_json` first.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from mock_api.catalog import FormCatalog
from mock_api.catalog_files import find_form_problems
from mock_api.catalog_files import json_type
from mock_api.errors import ErrorCollector

FORM_EMPTY = "FORM_EMPTY"
DEFAULT_TITLE = "Formulier"
MAX_TITLE_LENGTH = 300
# Meta sections of `data` that must be objects when they are sent.
META_SECTIONS = ("client", "installation", "report_info", "ignore")


@dataclass(frozen=True, kw_only=True)
class ReportRequest:
    """A validated report request, with the form it refers to resolved."""

    title: str
    form_code: str | None
    form_version: int | None
    components: list[dict[str, Any]]
    data: dict[str, Any]
    add_default_fields: bool
    empty_form: bool


def uses_form_json(body: Any) -> bool:
    """Return whether the body sends a form definition, which needs permission."""
    return isinstance(body, dict) and body.get("form_json") is not None


def parse_report_request(body: Any, forms: FormCatalog) -> ReportRequest:
    """Validate a decoded JSON body; raise ValidationProblem listing every field."""
    errors = ErrorCollector()
    if not isinstance(body, dict):
        errors.add("$", f"The JSON body must be an object, got {json_type(body)}.")
        errors.raise_if_any()

    data = parse_data(body, errors)
    add_default_fields = parse_add_default_fields(body, errors)
    form = resolve_form(body, forms, errors)
    errors.raise_if_any()

    assert form is not None and data is not None  # missing ones were reported
    ignore = data.get("ignore") or {}

    return ReportRequest(
        title=form["title"],
        form_code=form.get("code"),
        form_version=form.get("version"),
        components=form["components"],
        data=data,
        add_default_fields=add_default_fields,
        empty_form=ignore.get("formType") == FORM_EMPTY,
    )


def render_report(request: ReportRequest) -> bytes:
    """Render the report, or an empty fillable form for FORM_EMPTY, as PDF."""
    # reportlab is imported on the first report, not at start-up: it took
    # about a third of the import time of `tn-mock serve`.
    from mock_api.report_pdf import render_empty_form
    from mock_api.report_pdf import render_filled_report

    if request.empty_form:
        return render_empty_form(request)

    return render_filled_report(request)


def parse_data(
    body: Mapping[str, Any], errors: ErrorCollector
) -> dict[str, Any] | None:
    data = body.get("data")
    if data is None:
        errors.add("data", "The data field is required; send {} for no values.")
        return None
    if not isinstance(data, dict):
        errors.add("data", f"data must be an object, got {json_type(data)}.")
        return None

    for section in META_SECTIONS:
        value = data.get(section)
        if value is not None and not isinstance(value, dict):
            errors.add(
                f"data.{section}",
                f"data.{section} must be an object, got {json_type(value)}.",
            )
    ignore = data.get("ignore")
    form_type = ignore.get("formType") if isinstance(ignore, dict) else None
    if form_type is not None and not isinstance(form_type, str):
        errors.add(
            "data.ignore.formType",
            f"data.ignore.formType must be a string such as '{FORM_EMPTY}', "
            f"got {json_type(form_type)}.",
        )

    return data


def parse_add_default_fields(body: Mapping[str, Any], errors: ErrorCollector) -> bool:
    value = body.get("add_default_fields", False)
    if not isinstance(value, bool):
        errors.add(
            "add_default_fields",
            f"add_default_fields must be true or false, got {json_type(value)}.",
        )
        return False

    return value


def resolve_form(
    body: Mapping[str, Any], forms: FormCatalog, errors: ErrorCollector
) -> dict[str, Any] | None:
    """Return title, code, version and components of the requested form."""
    form_code = body.get("form_code")
    form_json = body.get("form_json")
    if form_code is not None and form_json is not None:
        message = "Send either form_code or form_json, not both."
        errors.add("form_code", message)
        errors.add("form_json", message)
        return None
    if form_code is None and form_json is None:
        errors.add("form_code", "Either form_code or form_json is required.")
        return None
    if form_code is not None:
        return resolve_form_code(form_code, forms, errors)

    return resolve_form_json(form_json, errors)


def resolve_form_code(
    form_code: Any, forms: FormCatalog, errors: ErrorCollector
) -> dict[str, Any] | None:
    if not isinstance(form_code, str) or not form_code.strip():
        errors.add(
            "form_code",
            f"form_code must be a non-empty string, got {json_type(form_code)}.",
        )
        return None

    record = forms.find_latest_by_form_code(form_code.strip())
    if record is None:
        known = ", ".join(sorted({item["formCode"] for item in forms.latest()}))
        errors.add(
            "form_code",
            f"Unknown form_code '{form_code}'; expected a formCode or code "
            f"from Forms/Latest, such as {known}.",
        )
        return None

    return {
        "title": record["title"],
        "code": record["code"],
        "version": record["version"],
        "components": record["form"]["components"],
    }


def resolve_form_json(form_json: Any, errors: ErrorCollector) -> dict[str, Any] | None:
    if not isinstance(form_json, dict):
        errors.add(
            "form_json", f"form_json must be an object, got {json_type(form_json)}."
        )
        return None

    # Accept a whole form record as Form/{code}/{version}/ returns it, or
    # only its "form" part with the components.
    definition = form_json.get("form", form_json)
    problems = find_form_problems(definition, "form_json")
    title = form_json.get("title", DEFAULT_TITLE)
    if not isinstance(title, str) or len(title) > MAX_TITLE_LENGTH:
        problems.append(
            f"form_json.title must be a string of at most {MAX_TITLE_LENGTH} "
            "characters."
        )
    for problem in problems:
        errors.add("form_json", problem)
    if problems:
        return None

    code = form_json.get("code")
    version = form_json.get("version")
    return {
        "title": title,
        "code": code if isinstance(code, str) else None,
        "version": version if type(version) is int else None,
        "components": definition["components"],
    }

"""Validate the records of forms and products files before they are served."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mock_api.errors import CatalogFileError

# Form.io keys name the submitted values and the fields of a fillable PDF, so
# they are limited to characters that are safe in both places.
COMPONENT_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,99}")
MAX_COMPONENT_DEPTH = 5

FORM_FIELDS: dict[str, type | tuple[type, ...]] = {
    "code": str,
    "version": int,
    "title": str,
    "formCode": str,
    "publisher": str,
    "publisherLink": str,
    "form": dict,
}
PRODUCT_FIELDS: dict[str, type | tuple[type, ...]] = {
    "publish": bool,
    "id": int,
    "shortDescription": str,
    "manufacturerGln": str,
    "manufacturerName": str,
    "productCode": str,
    "gtin": str,
    "brand": str,
    "model": str,
    "version": str,
    "category": str,
    "etimClass": dict,
    "status": dict,
    "changeDate": str,
    "startDate": str,
    "isDeleted": bool,
    "isDummy": bool,
    "hasImage": bool,
    "recordCreateDate": str,
}
PRODUCT_LIST_FIELDS = ("features", "attachments", "checklist", "faultCodes")


def validate_form_records(path: Path | str, document: Any) -> list[dict[str, Any]]:
    """Return the form records of a file, or raise CatalogFileError."""
    records = validate_record_list(path, document, "forms", check_form)
    seen: set[tuple[str, int]] = set()
    for index, record in enumerate(records):
        key = (record["code"].casefold(), record["version"])
        if key in seen:
            raise CatalogFileError(
                path,
                f"item {index}: form '{record['code']}' version "
                f"{record['version']} appears twice.",
            )
        seen.add(key)

    return records


def validate_product_records(path: Path | str, document: Any) -> list[dict[str, Any]]:
    """Return the products of a file, full-product lists defaulting to []."""
    records = validate_record_list(path, document, "products", check_product)
    seen: set[int] = set()
    for index, record in enumerate(records):
        if record["id"] in seen:
            raise CatalogFileError(
                path, f"item {index}: product id {record['id']} appears twice."
            )
        seen.add(record["id"])

    return [
        {**record, **{name: record.get(name, []) for name in PRODUCT_LIST_FIELDS}}
        for record in records
    ]


def validate_record_list(
    path: Path | str,
    document: Any,
    kind: str,
    check: Callable[[dict[str, Any]], str | None],
) -> list[dict[str, Any]]:
    if not isinstance(document, list):
        raise CatalogFileError(
            path,
            f"expected a JSON array of {kind}, got {json_type(document)}.",
        )

    for index, record in enumerate(document):
        if not isinstance(record, dict):
            raise CatalogFileError(
                path, f"item {index}: expected an object, got {json_type(record)}."
            )
        problem = check(record)
        if problem:
            raise CatalogFileError(path, f"item {index}: {problem}")

    return document


def check_form(record: dict[str, Any]) -> str | None:
    problem = check_fields(record, FORM_FIELDS)
    if problem:
        return problem
    if record["version"] < 1:
        return f"field 'version' must be 1 or greater, got {record['version']}."

    classes = record.get("etimClasses", [])
    if not isinstance(classes, list) or not all(isinstance(c, str) for c in classes):
        return "field 'etimClasses' must be an array of strings."

    problems = find_form_problems(record["form"], "form")
    if problems:
        return f"form '{record['code']}': {problems[0]}"

    return None


def check_product(record: dict[str, Any]) -> str | None:
    problem = check_fields(record, PRODUCT_FIELDS)
    if problem:
        return problem

    for name in PRODUCT_LIST_FIELDS:
        if not isinstance(record.get(name, []), list):
            return f"field '{name}' must be an array, got {json_type(record[name])}."

    return None


def check_fields(
    record: dict[str, Any], fields: dict[str, type | tuple[type, ...]]
) -> str | None:
    for name, expected in fields.items():
        if name not in record:
            return f"field '{name}' is missing."
        value = record[name]
        # bool is a subclass of int, but true is not a valid version or id.
        wrong_bool = isinstance(value, bool) and expected is int
        if wrong_bool or not isinstance(value, expected):
            return (
                f"field '{name}' must be {type_name(expected)}, got {json_type(value)}."
            )

    return None


def find_form_problems(form: Any, where: str) -> list[str]:
    """Return what is wrong with a Form.io form definition, if anything."""
    if not isinstance(form, dict):
        return [f"{where} must be an object, got {json_type(form)}."]
    components = form.get("components")
    if not isinstance(components, list):
        return [f"{where}.components must be an array, got {json_type(components)}."]

    problems: list[str] = []
    seen_keys: set[str] = set()
    check_components(components, f"{where}.components", 1, seen_keys, problems)

    return problems


def check_components(
    components: list[Any],
    where: str,
    depth: int,
    seen_keys: set[str],
    problems: list[str],
) -> None:
    if depth > MAX_COMPONENT_DEPTH:
        problems.append(f"{where} is nested more than {MAX_COMPONENT_DEPTH} deep.")
        return

    for index, component in enumerate(components):
        place = f"{where}[{index}]"
        if not isinstance(component, dict):
            problems.append(f"{place} must be an object, got {json_type(component)}.")
            continue
        problems.extend(check_component(component, place, seen_keys))
        nested = component.get("components")
        if nested is not None and not isinstance(nested, list):
            problems.append(f"{place}.components must be an array.")
        elif nested:
            # Columns of a datagrid have their own key space per row.
            keys = set() if component.get("type") == "datagrid" else seen_keys
            check_components(nested, f"{place}.components", depth + 1, keys, problems)


def check_component(
    component: dict[str, Any], place: str, seen_keys: set[str]
) -> list[str]:
    problems = []
    key = component.get("key")
    if not isinstance(component.get("type"), str):
        problems.append(f"{place}.type must be a string.")
    if not isinstance(key, str) or not COMPONENT_KEY.fullmatch(key):
        problems.append(
            f"{place}.key must be a string of letters, digits, '_' and '-' "
            f"that starts with a letter or '_', at most 100 long, got {key!r}."
        )
    elif key in seen_keys:
        problems.append(f"{place}.key '{key}' is used by another component.")
    else:
        seen_keys.add(key)
    if not isinstance(component.get("label", ""), str):
        problems.append(f"{place}.label must be a string.")

    values = component.get("values", [])
    valid_values = isinstance(values, list) and all(
        isinstance(option, dict)
        and isinstance(option.get("label"), str)
        and isinstance(option.get("value"), str)
        for option in values
    )
    if not valid_values:
        problems.append(
            f"{place}.values must be an array of objects with string label and value."
        )

    return problems


def type_name(expected: type | tuple[type, ...]) -> str:
    names = {str: "a string", int: "an integer", bool: "a boolean", dict: "an object"}
    if isinstance(expected, tuple):
        return " or ".join(names.get(t, t.__name__) for t in expected)

    return names.get(expected, expected.__name__)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"

    return "an object"

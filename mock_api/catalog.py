"""The forms and products that the mock APIs serve, and how to load them.

The shipped sample data is read once per process and shared, read-only, by
every catalogue. Users can replace it or add to it with their own JSON files.
Each file is validated on load, and a CatalogFileError names the file, the
record and the problem.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Iterable
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from typing import Literal

from mock_api.catalog_files import validate_form_records
from mock_api.catalog_files import validate_product_records
from mock_api.errors import CatalogFileError
from mock_api.errors import NotFound
from mock_api.products import Product
from mock_api.products import ProductCatalog

DATA_DIR = Path(__file__).parent / "data"
SHIPPED_FORMS = DATA_DIR / "forms.json"
SHIPPED_PRODUCTS = DATA_DIR / "products.json"

LoadMode = Literal["replace", "extend"]
FormRecord = dict[str, Any]

FORM_LIST_ITEM_FIELDS = (
    "code",
    "version",
    "title",
    "formCode",
    "publisher",
    "publisherLink",
)


class FormCatalog:
    """Form records, one per code and version, with the Forms API queries."""

    def __init__(self, records: Iterable[FormRecord]) -> None:
        self.records: tuple[FormRecord, ...] = tuple(
            sorted(records, key=lambda record: (record["code"], record["version"]))
        )
        self.by_code: dict[str, dict[int, FormRecord]] = {}
        for record in self.records:
            versions = self.by_code.setdefault(record["code"].casefold(), {})
            versions[record["version"]] = record

    def latest(self) -> list[FormRecord]:
        """Return the list item of the latest version of each form, by code."""
        return [
            build_list_item(versions[max(versions)])
            for versions in self.by_code.values()
        ]

    def all(self, class_code: str | None = None) -> list[FormRecord]:
        """Return the list items of every version linked to class_code.

        Without class_code, or with an empty one, every version of every form.
        """
        requested = class_code.strip().casefold() if class_code else ""

        return [
            build_list_item(record)
            for record in self.records
            if not requested
            or requested in (code.casefold() for code in record.get("etimClasses", ()))
        ]

    def get(self, code: str, version: int) -> FormRecord:
        """Return the full form, without the catalogue's own etimClasses field."""
        record = self.find(code, version)
        document = {"form": copy.deepcopy(record["form"])}
        document.update(build_list_item(record))

        return document

    def find(self, code: str, version: int | None = None) -> FormRecord:
        """Return a stored record by code and version (default: the latest)."""
        versions = self.by_code.get(code.casefold())
        if versions is None:
            raise NotFound(f"Form '{code}' not found.")
        if version is None:
            return versions[max(versions)]
        if version not in versions:
            known = ", ".join(str(number) for number in sorted(versions))
            raise NotFound(
                f"Form '{code}' has no version {version}; its versions are {known}."
            )

        return versions[version]

    def find_latest_by_form_code(self, form_code: str) -> FormRecord | None:
        """Return the latest version of the form with this formCode or code."""
        matches = [
            record
            for record in self.records
            if form_code.casefold()
            in (record["formCode"].casefold(), record["code"].casefold())
        ]
        if not matches:
            return None

        return max(matches, key=lambda record: record["version"])


@dataclass(frozen=True)
class Catalog:
    """Everything the mock APIs serve."""

    forms: FormCatalog
    products: ProductCatalog


def build_list_item(record: FormRecord) -> FormRecord:
    return {field: record[field] for field in FORM_LIST_ITEM_FIELDS}


def load_catalog(
    *,
    forms_files: Sequence[Path | str] = (),
    products_files: Sequence[Path | str] = (),
    mode: LoadMode = "extend",
) -> Catalog:
    """Load the shipped sample data, replaced or extended by the given files.

    In "extend" mode, a user record with the key of a shipped one (form code
    and version, product id) takes its place. In "replace" mode the shipped
    records of a kind are dropped when files of that kind are given. Raises
    CatalogFileError for a file that cannot be read or has an invalid record.
    """
    if mode not in ("replace", "extend"):
        raise ValueError(f"mode must be 'replace' or 'extend', got {mode!r}")

    forms = merge_records(
        shipped_forms(),
        [validate_form_records(path, read_json(path)) for path in forms_files],
        key=lambda record: (record["code"].casefold(), record["version"]),
        replace=mode == "replace",
    )
    products = merge_records(
        shipped_products(),
        [validate_product_records(path, read_json(path)) for path in products_files],
        key=lambda record: record["id"],
        replace=mode == "replace",
    )
    check_manufacturer_keys(products, products_files)

    return Catalog(forms=FormCatalog(forms), products=ProductCatalog(products))


def merge_records(
    shipped: Sequence[dict[str, Any]],
    user_files: Sequence[list[dict[str, Any]]],
    *,
    key: Any,
    replace: bool,
) -> list[dict[str, Any]]:
    merged: dict[Any, dict[str, Any]] = {}
    if not (replace and user_files):
        merged = {key(record): record for record in shipped}
    for records in user_files:
        merged.update((key(record), record) for record in records)

    return list(merged.values())


def check_manufacturer_keys(
    products: Iterable[Product], files: Sequence[Path | str]
) -> None:
    # Product/{manufacturerGln}/{productCode} must identify one product.
    seen: dict[tuple[str, str], int] = {}
    for product in products:
        key = (product["manufacturerGln"], product["productCode"].casefold())
        if key in seen:
            names = ", ".join(str(path) for path in files) or str(SHIPPED_PRODUCTS)
            raise CatalogFileError(
                names,
                f"products {seen[key]} and {product['id']} have the same "
                f"manufacturerGln '{key[0]}' and productCode "
                f"'{product['productCode']}'; the pair must be unique.",
            )
        seen[key] = product["id"]


def read_json(path: Path | str) -> Any:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogFileError(path, f"cannot be read: {error.strerror}") from error
    except UnicodeDecodeError as error:
        raise CatalogFileError(path, f"is not UTF-8 text: {error}") from error

    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogFileError(
            path, f"is not valid JSON: {error.msg} at line {error.lineno}"
        ) from error


@functools.cache
def shipped_forms() -> tuple[FormRecord, ...]:
    return tuple(validate_form_records(SHIPPED_FORMS, read_json(SHIPPED_FORMS)))


@functools.cache
def shipped_products() -> tuple[Product, ...]:
    return tuple(
        validate_product_records(SHIPPED_PRODUCTS, read_json(SHIPPED_PRODUCTS))
    )

import json
from pathlib import Path

import pytest

from mock_api.catalog import SHIPPED_FORMS
from mock_api.catalog import SHIPPED_PRODUCTS
from mock_api.catalog import load_catalog
from mock_api.errors import CatalogFileError
from mock_api.errors import NotFound

LIST_ITEM_KEYS = {"code", "version", "title", "formCode", "publisher", "publisherLink"}


@pytest.fixture(scope="module")
def shipped_forms() -> list[dict]:
    return json.loads(SHIPPED_FORMS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def shipped_products() -> list[dict]:
    return json.loads(SHIPPED_PRODUCTS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def write_json(path: Path, document) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def make_form(code="USR00001", version=1, **changes) -> dict:
    form = {
        "code": code,
        "version": version,
        "title": "Eigen formulier",
        "formCode": "EIGEN",
        "publisher": "Test B.V.",
        "publisherLink": "https://example.com",
        "etimClasses": ["EC999999"],
        "form": {
            "display": "form",
            "components": [{"type": "textfield", "key": "naam", "label": "Naam"}],
        },
    }
    form.update(changes)
    return form


def test_forms_latest_one_item_per_code(catalog, shipped_forms):
    expected = {}
    for form in shipped_forms:
        expected[form["code"]] = max(expected.get(form["code"], 0), form["version"])

    latest = catalog.forms.latest()

    assert {item["code"]: item["version"] for item in latest} == expected
    assert all(set(item) == LIST_ITEM_KEYS for item in latest)


def test_forms_all_without_class_returns_every_version(catalog, shipped_forms):
    items = catalog.forms.all()

    assert len(items) == len(shipped_forms)
    assert all(set(item) == LIST_ITEM_KEYS for item in items)


def test_forms_all_filters_by_class_code(catalog, shipped_forms):
    class_code = "EC012034"
    expected = {
        (form["code"], form["version"])
        for form in shipped_forms
        if class_code in form["etimClasses"]
    }

    items = catalog.forms.all(class_code)
    lower_items = catalog.forms.all(class_code.lower())

    assert expected
    assert {(item["code"], item["version"]) for item in items} == expected
    assert lower_items == items


def test_forms_all_unknown_class_is_empty(catalog):
    assert catalog.forms.all("EC000000") == []


def test_forms_get_full_shape(catalog, shipped_forms):
    stored = next(
        f for f in shipped_forms if f["code"] == "FGO00001" and f["version"] == 2
    )

    form = catalog.forms.get("FGO00001", 2)

    assert set(form) == LIST_ITEM_KEYS | {"form"}
    assert form["form"] == stored["form"]
    assert form["version"] == 2


def test_forms_get_unknown_code(catalog):
    with pytest.raises(NotFound, match="Form 'NOPE' not found"):
        catalog.forms.get("NOPE", 1)


def test_forms_get_unknown_version_lists_versions(catalog):
    with pytest.raises(NotFound, match="versions are 1, 2, 3"):
        catalog.forms.get("FGO00001", 9)


def test_forms_get_code_case_insensitive(catalog):
    assert catalog.forms.get("fgo00001", 1)["code"] == "FGO00001"


def test_products_get_by_id_and_manufacturer(catalog, shipped_products):
    stored = shipped_products[10]

    by_id = catalog.products.get(stored["id"])
    by_key = catalog.products.get_by_manufacturer(
        stored["manufacturerGln"], stored["productCode"]
    )

    assert by_id == stored
    assert by_key == stored


def test_products_get_returns_copy(catalog, shipped_products):
    product = catalog.products.get(shipped_products[0]["id"])
    product["features"].clear()

    assert catalog.products.get(shipped_products[0]["id"])["features"]


def test_products_unknown_id(catalog):
    with pytest.raises(NotFound, match="id 1 not found"):
        catalog.products.get(1)


def test_products_unknown_manufacturer_key(catalog):
    with pytest.raises(NotFound, match="productCode 'X1' not found"):
        catalog.products.get_by_manufacturer("8712345000004", "X1")


def test_load_extend_adds_and_overrides_forms(tmp_path, shipped_forms):
    override = make_form(code="FGO00001", version=1, title="Vervangen")
    path = write_json(tmp_path / "forms.json", [make_form(), override])

    catalog = load_catalog(forms_files=[path], mode="extend")

    assert len(catalog.forms.all()) == len(shipped_forms) + 1
    assert catalog.forms.get("USR00001", 1)["title"] == "Eigen formulier"
    assert catalog.forms.get("FGO00001", 1)["title"] == "Vervangen"


def test_load_replace_drops_shipped_forms(tmp_path, shipped_products):
    path = write_json(tmp_path / "forms.json", [make_form()])

    catalog = load_catalog(forms_files=[path], mode="replace")

    assert [item["code"] for item in catalog.forms.all()] == ["USR00001"]
    assert len(catalog.products.products) == len(shipped_products)


def test_load_replace_products(tmp_path, shipped_products):
    product = dict(shipped_products[0], id=1, productCode="EIGEN-1")
    for name in ("features", "attachments", "checklist", "faultCodes"):
        del product[name]
    path = write_json(tmp_path / "products.json", [product])

    catalog = load_catalog(products_files=[path], mode="replace")

    assert [p["id"] for p in catalog.products.products] == [1]
    assert catalog.products.get(1)["features"] == []


def test_load_rejects_unknown_mode():
    with pytest.raises(ValueError, match="'replace' or 'extend'"):
        load_catalog(mode="merge")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"forms": []}, "expected a JSON array of forms, got an object"),
        ([1], "item 0: expected an object, got a number"),
        ([make_form(version="1")], "item 0: field 'version' must be an integer"),
        ([make_form(version=True)], "field 'version' must be an integer"),
        ([make_form(version=0)], "'version' must be 1 or greater"),
        ([{"code": "X"}], "field 'version' is missing"),
        ([make_form(etimClasses="EC1")], "'etimClasses' must be an array"),
        ([make_form(form={"display": "form"})], "form.components must be an array"),
        (
            [make_form(form={"components": [{"type": "textfield", "key": "a b"}]})],
            "form.components\\[0\\].key must be a string",
        ),
        (
            [
                make_form(
                    form={
                        "components": [
                            {"type": "textfield", "key": "a"},
                            {"type": "textarea", "key": "a"},
                        ]
                    }
                )
            ],
            "key 'a' is used by another component",
        ),
        ([make_form(), make_form()], "item 1: form 'USR00001' version 1 appears twice"),
    ],
)
def test_load_invalid_forms_file(tmp_path, document, message):
    path = write_json(tmp_path / "bad-forms.json", document)

    with pytest.raises(CatalogFileError, match=message) as caught:
        load_catalog(forms_files=[path])

    assert caught.value.path == path
    assert "bad-forms.json" in str(caught.value)


def test_load_invalid_products_file(tmp_path, shipped_products):
    product = dict(shipped_products[0], gtin=871)
    path = write_json(tmp_path / "products.json", [product])

    with pytest.raises(CatalogFileError, match="field 'gtin' must be a string"):
        load_catalog(products_files=[path])


def test_load_duplicate_manufacturer_key(tmp_path, shipped_products):
    product = dict(shipped_products[0], id=1)
    path = write_json(tmp_path / "products.json", [product])

    with pytest.raises(CatalogFileError, match="must be unique"):
        load_catalog(products_files=[path], mode="extend")


def test_load_not_json(tmp_path):
    path = tmp_path / "forms.json"
    path.write_text("[{", encoding="utf-8")

    with pytest.raises(CatalogFileError, match="is not valid JSON"):
        load_catalog(forms_files=[path])


def test_load_missing_file(tmp_path):
    with pytest.raises(CatalogFileError, match="cannot be read"):
        load_catalog(forms_files=[tmp_path / "missing.json"])

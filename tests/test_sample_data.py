import json
from collections import Counter
from pathlib import Path

import pytest

from mock_api import generate_data
from mock_api.gs1 import gs1_check_digit
from mock_api.gs1 import is_valid_gs1

DATA_DIR = Path(generate_data.__file__).parent / "data"
COMPONENT_TYPES = {"radio", "textarea", "textfield", "photo", "datagrid"}


@pytest.fixture(scope="module")
def forms() -> list[dict]:
    return json.loads((DATA_DIR / "forms.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def products() -> list[dict]:
    return json.loads((DATA_DIR / "products.json").read_text(encoding="utf-8"))


def walk_components(components: list[dict]):
    for component in components:
        yield component
        yield from walk_components(component.get("components", []))


def test_gs1_check_digit_known_numbers():
    # GTIN-13 4006381333931 and GLN 8712345000004 are commonly quoted examples.
    assert gs1_check_digit("400638133393") == 1
    assert gs1_check_digit("871234500000") == 4
    assert is_valid_gs1("4006381333931")
    assert not is_valid_gs1("4006381333932")
    assert not is_valid_gs1("400638133393")
    assert not is_valid_gs1("40063813339a1")


def test_gs1_check_digit_rejects_non_digits():
    with pytest.raises(ValueError, match="only digits"):
        gs1_check_digit("12a")


def test_forms_count_and_codes(forms):
    codes = {form["code"] for form in forms}

    assert len(codes) >= 12
    assert all(isinstance(form["version"], int) for form in forms)


def test_forms_several_have_versions(forms):
    versions = Counter(form["code"] for form in forms)

    assert sum(1 for count in versions.values() if count > 1) >= 3


def test_forms_use_every_component_type(forms):
    types = {
        component["type"]
        for form in forms
        for component in walk_components(form["form"]["components"])
    }

    assert COMPONENT_TYPES <= types


def test_forms_component_details(forms):
    components = [
        component
        for form in forms
        for component in walk_components(form["form"]["components"])
    ]

    assert all("key" in c and "label" in c for c in components)
    assert any(c.get("hasNotRelevant") for c in components if c["type"] == "textfield")
    assert any("tooltip" in c for c in components)
    assert any("description" in c for c in components)
    radios = [c for c in components if c["type"] == "radio"]
    assert all(
        set(option) == {"label", "value"} for c in radios for option in c["values"]
    )
    grids = [c for c in components if c["type"] == "datagrid"]
    assert all(grid["components"] for grid in grids)


def test_forms_record_shape(forms):
    for form in forms:
        assert form["publisher"] == "Techniek Nederland"
        assert form["publisherLink"] == "https://www.technieknederland.nl"
        assert form["form"]["display"] == "form"
        assert isinstance(form["etimClasses"], list)


def test_products_count_categories_brands(products):
    assert len(products) >= 300
    assert len({p["category"] for p in products}) >= 6
    assert len({p["brand"] for p in products}) >= 15


def test_products_ids_unique(products):
    ids = [p["id"] for p in products]

    assert len(set(ids)) == len(ids)


def test_products_gtin_and_gln_check_digits(products):
    for product in products:
        assert is_valid_gs1(product["gtin"]), product["gtin"]
        assert is_valid_gs1(product["manufacturerGln"]), product["manufacturerGln"]


def test_products_manufacturer_keys_unique(products):
    keys = [(p["manufacturerGln"], p["productCode"]) for p in products]

    assert len(set(keys)) == len(keys)


def test_products_one_etim_class_per_category(products):
    classes: dict[str, set[str]] = {}
    for product in products:
        classes.setdefault(product["category"], set()).add(product["etimClass"]["code"])

    assert all(len(codes) == 1 for codes in classes.values())
    assert all(
        code.startswith("EC") and len(code) == 8
        for codes in classes.values()
        for code in codes
    )


def test_products_fields_and_dates(products):
    from datetime import datetime

    product = products[0]
    assert {"features", "attachments", "checklist", "faultCodes"} <= set(product)
    for product in products:
        created = datetime.fromisoformat(product["recordCreateDate"])
        assert created.utcoffset() is not None
        for feature in product["features"]:
            assert feature["code"].startswith("EF")
            assert ("logicalValue" in feature) != ("numericValue" in feature)


def test_forms_link_to_product_classes(forms, products):
    product_classes = {p["etimClass"]["code"] for p in products}
    form_classes = {code for form in forms for code in form["etimClasses"]}

    assert form_classes <= product_classes
    assert product_classes <= form_classes


def test_generator_matches_committed_files(tmp_path):
    generate_data.write_data(tmp_path)

    for name in ("forms.json", "products.json"):
        generated = (tmp_path / name).read_text(encoding="utf-8")
        committed = (DATA_DIR / name).read_text(encoding="utf-8")
        assert generated == committed, (
            f"{name} differs from the generator output; "
            "run python -m mock_api.generate_data"
        )


def test_generator_is_deterministic_per_seed():
    first = generate_data.generate(seed=7)
    second = generate_data.generate(seed=7)
    other = generate_data.generate(seed=8)

    assert first == second
    assert first["products.json"] != other["products.json"]


def test_generator_main_writes_to_output(tmp_path, capsys):
    generate_data.main(["--output", str(tmp_path)])

    assert (tmp_path / "forms.json").exists()
    assert "products.json" in capsys.readouterr().out

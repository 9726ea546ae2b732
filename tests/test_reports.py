import io

import pytest
from pypdf import PdfReader

from mock_api.catalog import load_catalog
from mock_api.errors import ValidationProblem
from mock_api.reports import parse_report_request
from mock_api.reports import render_report
from mock_api.reports import uses_form_json


@pytest.fixture(scope="module")
def forms():
    return load_catalog().forms


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def errors_for(body, forms) -> dict[str, list[str]]:
    with pytest.raises(ValidationProblem) as caught:
        parse_report_request(body, forms)
    return caught.value.errors


def test_report_contains_title_labels_values(forms):
    form = forms.get("FGO00001", 3)
    body = {
        "form_code": "MBO_GAS",
        "data": {
            "toestelMerk": "Remeha",
            "coGehalte": "42",
            "toestelCategorie": "gesloten",
            "sifonGereinigd": "ja",
            "fotoRookgasafvoer": ["afvoer.jpg"],
        },
        "add_default_fields": False,
    }

    pdf = render_report(parse_report_request(body, forms))
    text = pdf_text(pdf)

    assert pdf.startswith(b"%PDF-")
    assert form["title"] in text
    assert "Formulier FGO00001, versie 3" in text
    for component in form["form"]["components"]:
        assert component["label"] in text, component["label"]
    assert "Remeha" in text
    assert "42" in text
    assert "Gesloten toestel (C)" in text
    assert "1 foto('s): afvoer.jpg" in text
    assert "Opdrachtgever" not in text


def test_report_datagrid_rows_as_table(forms):
    body = {
        "form_code": "FGO00004",
        "data": {
            "strings": [
                {"string": "S1", "openklemspanning": "412", "kortsluitstroom": "10.2"},
                {"string": "S2", "openklemspanning": "398"},
            ]
        },
    }

    text = pdf_text(render_report(parse_report_request(body, forms)))

    assert "Stringmetingen" in text
    assert "Openklemspanning (V)" in text
    for value in ("S1", "412", "10.2", "S2", "398"):
        assert value in text


def test_report_default_sections(forms):
    body = {
        "form_code": "CO_MELDER",
        "data": {
            "client": {"contact_person": {"name": "Jan de Vries"}},
            "installation": {"address": "Dorpsstraat 1, Utrecht"},
            "report_info": {"report_visit_date": "2024-03-01"},
        },
        "add_default_fields": True,
    }

    text = pdf_text(render_report(parse_report_request(body, forms)))

    assert "Opdrachtgever" in text
    assert "Jan de Vries" in text
    assert "Dorpsstraat 1, Utrecht" in text
    assert "report_info.report_visit_date" in text
    assert "2024-03-01" in text


def test_report_escapes_markup_and_control_characters(forms):
    body = {
        "form_code": "CO_MELDER",
        "data": {"advies": "<b>vet</b> & \x00\x07 regel\nvolgende"},
    }

    text = pdf_text(render_report(parse_report_request(body, forms)))

    assert "<b>vet</b> &" in text
    assert "volgende" in text


def test_report_from_form_json(forms):
    form_json = {
        "title": "Eigen controle",
        "form": {
            "display": "form",
            "components": [
                {"type": "textfield", "key": "meterstand", "label": "Meterstand"}
            ],
        },
    }
    body = {"form_json": form_json, "data": {"meterstand": "12345"}}

    text = pdf_text(render_report(parse_report_request(body, forms)))

    assert uses_form_json(body)
    assert "Eigen controle" in text
    assert "Meterstand" in text
    assert "12345" in text


def test_empty_form_has_one_field_per_component(forms):
    for item in forms.latest():
        form = forms.get(item["code"], item["version"])
        body = {
            "form_code": item["code"],
            "data": {"ignore": {"formType": "FORM_EMPTY"}},
        }

        pdf = render_report(parse_report_request(body, forms))
        fields = PdfReader(io.BytesIO(pdf)).get_fields() or {}

        keys = {component["key"] for component in form["form"]["components"]}
        assert set(fields) == keys, item["code"]


def test_empty_form_field_types(forms):
    body = {"form_code": "MBO_GAS", "data": {"ignore": {"formType": "FORM_EMPTY"}}}

    pdf = render_report(parse_report_request(body, forms))
    fields = PdfReader(io.BytesIO(pdf)).get_fields()

    assert fields["toestelMerk"]["/FT"] == "/Tx"
    assert fields["toestelCategorie"]["/FT"] == "/Btn"
    assert set(fields["toestelCategorie"]["/_States_"]) >= {"/open", "/gesloten"}
    assert "Onderhoud gasgestookt cv-toestel (MBO)" in pdf_text(pdf)


def test_empty_form_with_default_fields(forms):
    body = {
        "form_code": "CO_MELDER",
        "data": {"ignore": {"formType": "FORM_EMPTY"}},
        "add_default_fields": True,
    }

    fields = PdfReader(io.BytesIO(render_report(parse_report_request(body, forms))))
    names = set(fields.get_fields())

    assert "tn_report_visit_date" in names
    assert "melders" in names


@pytest.mark.parametrize(
    ("body", "name", "fragment"),
    [
        ([], "$", "must be an object, got an array"),
        ({"data": {}}, "form_code", "Either form_code or form_json is required."),
        (
            {"form_code": "MBO_GAS", "form_json": {}, "data": {}},
            "form_json",
            "not both",
        ),
        ({"form_code": "ONBEKEND", "data": {}}, "form_code", "Unknown form_code"),
        ({"form_code": 5, "data": {}}, "form_code", "non-empty string, got a number"),
        ({"form_code": "MBO_GAS"}, "data", "The data field is required"),
        ({"form_code": "MBO_GAS", "data": []}, "data", "must be an object"),
        (
            {"form_code": "MBO_GAS", "data": {}, "add_default_fields": "true"},
            "add_default_fields",
            "must be true or false, got a string",
        ),
        (
            {"form_code": "MBO_GAS", "data": {"client": "Jan"}},
            "data.client",
            "must be an object",
        ),
        (
            {"form_code": "MBO_GAS", "data": {"ignore": {"formType": 1}}},
            "data.ignore.formType",
            "must be a string",
        ),
        ({"form_json": [], "data": {}}, "form_json", "must be an object"),
        ({"form_json": {"title": "x"}, "data": {}}, "form_json", "components"),
        (
            {
                "form_json": {"components": [{"type": "textfield", "key": "a.b"}]},
                "data": {},
            },
            "form_json",
            "key must be a string",
        ),
    ],
)
def test_report_validation_errors(forms, body, name, fragment):
    errors = errors_for(body, forms)

    assert name in errors, errors
    assert fragment in " ".join(errors[name])


def test_report_collects_every_field_error(forms):
    errors = errors_for({"data": 1, "add_default_fields": 0}, forms)

    assert set(errors) == {"data", "add_default_fields", "form_code"}

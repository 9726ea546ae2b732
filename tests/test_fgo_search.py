import json

import pytest
from werkzeug.datastructures import MultiDict

from mock_api.catalog import SHIPPED_PRODUCTS
from mock_api.catalog import load_catalog
from mock_api.errors import ValidationProblem
from mock_api.query import Filter
from mock_api.query import parse_facet_request
from mock_api.query import parse_field_request
from mock_api.query import parse_search_request

SEARCH_FIELDS = (
    "shortDescription",
    "brand",
    "model",
    "version",
    "manufacturerName",
    "productCode",
    "gtin",
)
FACET_FIELDS = {
    "Category": "category",
    "Brand": "brand",
    "Model": "model",
    "Version": "version",
}


@pytest.fixture(scope="module")
def products() -> list[dict]:
    return json.loads(SHIPPED_PRODUCTS.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalog():
    return load_catalog().products


def query(**params) -> dict[str, list[str]]:
    return {
        name: [value] if isinstance(value, str) else value
        for name, value in params.items()
    }


def expected_matches(products, words, filters=()):
    """Filter the products the slow, obvious way, sorted by id."""
    result = []
    for product in sorted(products, key=lambda p: p["id"]):
        texts = [str(product[field]).lower() for field in SEARCH_FIELDS]
        if not all(any(word.lower() in text for text in texts) for word in words):
            continue
        if all(
            product[FACET_FIELDS[code]].lower() in [v.lower() for v in values]
            for code, values in filters
        ):
            result.append(product)
    return result


def search(catalog, **params):
    return catalog.search(parse_search_request(query(**params)))


def validation_errors(parse, params) -> dict[str, list[str]]:
    with pytest.raises(ValidationProblem) as caught:
        parse(params)
    return caught.value.errors


def test_search_wildcard_pages_through_everything(catalog, products):
    ids = []
    offset = 0
    while True:
        page = search(catalog, SearchString="*", Size="100", From=str(offset))
        assert page["total"] == len(products)
        if not page["items"]:
            break
        ids += [item["id"] for item in page["items"]]
        offset += 100

    assert ids == sorted(p["id"] for p in products)


def test_search_page_window(catalog, products):
    expected = sorted(p["id"] for p in products)[25:35]

    page = search(catalog, SearchString="*", Size="10", From="25")

    assert [item["id"] for item in page["items"]] == expected
    assert isinstance(page["took"], int)


def test_search_from_beyond_total_is_empty(catalog, products):
    page = search(catalog, SearchString="*", Size="10", From=str(len(products) + 5))

    assert page["items"] == []
    assert page["total"] == len(products)


def test_search_from_defaults_to_zero(catalog, products):
    page = search(catalog, SearchString="*", Size="1")

    assert page["items"][0]["id"] == min(p["id"] for p in products)


@pytest.mark.parametrize(
    "search_string", ["remeha", "REMEHA ace", "ace 28c", "Thermea", "solar 430"]
)
def test_search_words_all_match(catalog, products, search_string):
    expected = expected_matches(products, search_string.split())

    page = search(catalog, SearchString=search_string, Size="100")

    assert expected
    assert page["total"] == len(expected)
    assert [item["id"] for item in page["items"]] == [p["id"] for p in expected][:100]


def test_search_by_gtin_and_product_code(catalog, products):
    product = products[42]

    by_gtin = search(catalog, SearchString=product["gtin"], Size="5")
    by_code = search(catalog, SearchString=product["productCode"], Size="5")

    assert [item["id"] for item in by_gtin["items"]] == [product["id"]]
    assert product["id"] in [item["id"] for item in by_code["items"]]


def test_search_word_must_match_inside_one_field(catalog):
    page = search(catalog, SearchString="Remeha\x00Calenta", Size="5")

    assert page["total"] == 0


def test_search_no_match(catalog):
    assert search(catalog, SearchString="geenproduct", Size="5")["total"] == 0


def test_search_item_shape(catalog):
    item = search(catalog, SearchString="*", Size="1")["items"][0]

    assert "features" not in item
    assert {"publish", "etimClass", "status", "recordCreateDate", "hasImage"} <= set(
        item
    )


def test_search_filters_or_within_and_across(catalog, products):
    params = query(
        SearchString="*",
        Size="100",
        **{
            "Filters[0].Code": "Category",
            "Filters[0].Values[0].Code": "CV-toestellen",
            "Filters[0].Values[1].Code": "Warmtepompen",
            "Filters[1].Code": "Brand",
            "Filters[1].Values[0].Code": "Remeha",
        },
    )
    expected = expected_matches(
        products,
        [],
        [("Category", ["CV-toestellen", "Warmtepompen"]), ("Brand", ["Remeha"])],
    )

    page = catalog.search(parse_search_request(params))

    assert page["total"] == len(expected)
    assert {p["category"] for p in expected} == {"CV-toestellen", "Warmtepompen"}
    assert [item["id"] for item in page["items"]] == [p["id"] for p in expected]


def test_search_filter_values_case_insensitive(catalog, products):
    params = query(
        SearchString="*",
        Size="100",
        **{"filters[0].code": "brand", "FILTERS[0].VALUES[0].CODE": "remeha"},
    )
    expected = [p for p in products if p["brand"] == "Remeha"]

    page = catalog.search(parse_search_request(params))

    assert page["total"] == len(expected)


def test_parse_accepts_werkzeug_multidict():
    args = MultiDict(
        [
            ("SearchString", "*"),
            ("Size", "3"),
            ("Filters[0].Code", "Brand"),
            ("Filters[0].Values[0].Code", "SMA"),
        ]
    )

    request = parse_search_request(args)

    assert request.size == 3
    assert request.filters == (Filter("Brand", ("SMA",)),)


def test_parse_parameter_names_case_insensitive():
    request = parse_search_request(
        query(searchstring="x", SIZE="4", from_="1") | {"from": ["2"]}
    )

    assert request.search_string == "x"
    assert request.size == 4
    assert request.offset == 2


@pytest.mark.parametrize(
    ("params", "name", "fragment"),
    [
        ({"Size": ["10"]}, "SearchString", "The SearchString field is required."),
        ({"SearchString": ["  "], "Size": ["10"]}, "SearchString", "send '*'"),
        ({"SearchString": ["*"]}, "Size", "The Size field is required."),
        ({"SearchString": ["*"], "Size": ["0"]}, "Size", "between 1 and 100, got 0"),
        (
            {"SearchString": ["*"], "Size": ["101"]},
            "Size",
            "between 1 and 100, got 101",
        ),
        (
            {"SearchString": ["*"], "Size": ["ten"]},
            "Size",
            "'ten' is not valid for Size; expected an integer",
        ),
        ({"SearchString": ["*"], "Size": ["1.5"]}, "Size", "'1.5' is not valid"),
        (
            {"SearchString": ["*"], "Size": ["99999999999999999999"]},
            "Size",
            "not valid for Size",
        ),
        (
            {"SearchString": ["*"], "Size": ["5"], "From": ["-1"]},
            "From",
            "0 or greater, got -1",
        ),
        (
            {"SearchString": ["*"], "Size": ["5"], "From": ["x"]},
            "From",
            "'x' is not valid for From",
        ),
        (
            {"SearchString": ["*"], "Size": ["5", "6"]},
            "Size",
            "must be given once, got 2",
        ),
        ({"SearchString": ["a" * 501], "Size": ["5"]}, "SearchString", "at most 500"),
    ],
)
def test_parse_search_scalar_errors(params, name, fragment):
    errors = validation_errors(parse_search_request, params)

    assert list(errors) == [name]
    assert fragment in errors[name][0]


@pytest.mark.parametrize(
    ("filters", "name", "fragment"),
    [
        (
            {"Filters[x].Code": ["Brand"]},
            "Filters[x].Code",
            "is not valid; expected 'Filters[i].Code'",
        ),
        ({"Filters[0].Cod": ["Brand"]}, "Filters[0].Cod", "is not valid"),
        (
            {"Filters[0]Values[0].Code": ["a"]},
            "Filters[0]Values[0].Code",
            "is not valid",
        ),
        (
            {"Filters[0].Values[0].Code": ["Remeha"]},
            "Filters[0].Code",
            "required when Filters[0].Values is given",
        ),
        ({"Filters[0].Code": ["Brand"]}, "Filters[0].Values", "at least one value"),
        (
            {"Filters[0].Code": ["Colour"], "Filters[0].Values[0].Code": ["rood"]},
            "Filters[0].Code",
            "'Colour' is not a valid filter code; "
            "expected one of Category, Brand, Model, Version",
        ),
        (
            {"Filters[0].Code": ["Brand"], "Filters[0].Values[0].Code": [""]},
            "Filters[0].Values[0].Code",
            "must not be empty",
        ),
        (
            {
                "Filters[0].Code": ["Brand"],
                "Filters[0].Values[0].Code": ["a"],
                "Filters[2].Code": ["Model"],
                "Filters[2].Values[0].Code": ["b"],
            },
            "Filters",
            "count from 0 without gaps, got 0, 2",
        ),
        (
            {"Filters[0].Code": ["Brand"], "Filters[0].Values[1].Code": ["a"]},
            "Filters[0].Values",
            "got 1",
        ),
        (
            {"Filters[0].Code": ["Brand", "Model"], "Filters[0].Values[0].Code": ["a"]},
            "Filters[0].Code",
            "given once",
        ),
    ],
)
def test_parse_filter_errors(filters, name, fragment):
    params = {"SearchString": ["*"], "Size": ["5"], **filters}

    errors = validation_errors(parse_search_request, params)

    assert name in errors, errors
    assert fragment in " ".join(errors[name])


def test_parse_collects_all_errors():
    errors = validation_errors(
        parse_search_request, {"Size": ["0"], "From": ["-3"], "Filters[q].Code": ["x"]}
    )

    assert set(errors) == {"SearchString", "Size", "From", "Filters[q].Code"}


def test_facets_list_every_field_with_limit(catalog, products):
    facets = catalog.facets(parse_facet_request(query(SearchString="*")))

    assert [facet["code"] for facet in facets] == [
        "Category",
        "Brand",
        "Model",
        "Version",
    ]
    for facet in facets:
        assert facet["portCode"] == 0
        assert len(facet["values"]) <= 20
        counts = [value["count"] for value in facet["values"]]
        assert counts == sorted(counts, reverse=True)
        assert not any(value["active"] for value in facet["values"])


def test_facets_counts_match_data(catalog, products):
    facets = catalog.facets(parse_facet_request(query(SearchString="ace")))
    matches = expected_matches(products, ["ace"])
    brand_facet = next(f for f in facets if f["code"] == "Brand")

    for value in brand_facet["values"]:
        expected = sum(1 for p in matches if p["brand"] == value["code"])
        assert value["count"] == expected, value


def test_facets_order_ties_by_code(catalog):
    facets = catalog.facets(parse_facet_request(query(SearchString="*")))
    category = next(f for f in facets if f["code"] == "Category")

    keys = [(-v["count"], v["code"]) for v in category["values"]]
    assert keys == sorted(keys)


def test_facets_active_and_count_agree_with_search(catalog, products):
    base = {
        "SearchString": ["*"],
        "Filters[0].Code": ["Category"],
        "Filters[0].Values[0].Code": ["Warmtepompen"],
        "Filters[1].Code": ["Brand"],
        "Filters[1].Values[0].Code": ["Remeha"],
    }
    facets = catalog.facets(parse_facet_request(base))
    by_code = {facet["code"]: facet for facet in facets}

    assert [v["code"] for v in by_code["Brand"]["values"] if v["active"]] == ["Remeha"]
    assert [v["code"] for v in by_code["Category"]["values"] if v["active"]] == [
        "Warmtepompen"
    ]

    # The Brand facet ignores the Brand filter, so other brands of heat
    # pumps are listed with their own counts.
    daikin = next(v for v in by_code["Brand"]["values"] if v["code"] == "Daikin")
    expected_daikin = expected_matches(
        products, [], [("Category", ["Warmtepompen"]), ("Brand", ["Daikin"])]
    )
    assert daikin == {"active": False, "code": "Daikin", "count": len(expected_daikin)}
    assert daikin["count"] > 0

    # A value of a field without a filter: adding it as a new filter.
    for value in by_code["Model"]["values"]:
        params = dict(
            base,
            **{
                "Filters[2].Code": ["Model"],
                "Filters[2].Values[0].Code": [value["code"]],
                "Size": ["1"],
            },
        )
        assert (
            catalog.search(parse_search_request(params))["total"] == value["count"]
        ), value
    # A value of a filtered field: replacing that field's values with it.
    for value in by_code["Brand"]["values"]:
        params = dict(
            base, **{"Filters[1].Values[0].Code": [value["code"]], "Size": ["1"]}
        )
        assert (
            catalog.search(parse_search_request(params))["total"] == value["count"]
        ), value


def test_facets_selected_value_without_products_is_listed(catalog):
    params = {
        "SearchString": ["*"],
        "Filters[0].Code": ["Brand"],
        "Filters[0].Values[0].Code": ["Onbekend"],
    }

    facets = catalog.facets(parse_facet_request(params))
    brand = next(f for f in facets if f["code"] == "Brand")

    assert {"active": True, "code": "Onbekend", "count": 0} in brand["values"]


def test_facets_require_search_string():
    errors = validation_errors(parse_facet_request, {})

    assert list(errors) == ["SearchString"]


def test_field_facet_has_all_values(catalog, products):
    facet = catalog.facet_for_field(parse_field_request(query(field="model")))
    expected = {}
    for product in products:
        expected[product["model"]] = expected.get(product["model"], 0) + 1

    assert facet["code"] == "Model"
    assert len(facet["values"]) > 20
    assert {v["code"]: v["count"] for v in facet["values"]} == expected


@pytest.mark.parametrize(
    ("params", "fragment"),
    [
        ({}, "The field field is required."),
        (
            {"field": ["Colour"]},
            "'Colour' is not a valid field; "
            "expected one of Category, Brand, Model, Version",
        ),
    ],
)
def test_field_facet_errors(params, fragment):
    errors = validation_errors(parse_field_request, params)

    assert len(errors["field"]) == 1
    assert fragment in errors["field"][0]

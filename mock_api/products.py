"""FGO+ product queries: search, facets and lookups over an in-memory list.

Facet semantics: the counts of one facet are taken over the products that
match the search string and every filter except those on that facet's own
field. So for a value `v` of facet `F`, a search with the same parameters
and the `F` filter set to `v` alone returns `total == count`, and a client
can show the other values of a selected facet with their counts.
"""

from __future__ import annotations

import copy
import time
from collections import Counter
from collections.abc import Iterable
from collections.abc import Sequence
from typing import Any

from mock_api.errors import NotFound
from mock_api.query import FILTER_FIELDS
from mock_api.query import FacetRequest
from mock_api.query import Filter
from mock_api.query import SearchRequest

Product = dict[str, Any]

SEARCH_FIELDS = (
    "shortDescription",
    "brand",
    "model",
    "version",
    "manufacturerName",
    "productCode",
    "gtin",
)
SEARCH_ITEM_FIELDS = (
    "publish",
    "id",
    "shortDescription",
    "manufacturerGln",
    "manufacturerName",
    "productCode",
    "gtin",
    "brand",
    "model",
    "version",
    "category",
    "etimClass",
    "status",
    "changeDate",
    "startDate",
    "isDeleted",
    "isDummy",
    "hasImage",
    "recordCreateDate",
)
FACET_CODES = tuple(code for code, _ in FILTER_FIELDS.values())
FACET_LIMIT = 20
FACET_PORT_CODE = 0
WILDCARD = "*"


class ProductCatalog:
    """Products, sorted by id, with the FGO+ Webservice queries."""

    def __init__(self, products: Iterable[Product]) -> None:
        self.products: tuple[Product, ...] = tuple(
            sorted(products, key=lambda product: product["id"])
        )
        self.by_id = {product["id"]: product for product in self.products}
        self.by_manufacturer_key = {
            (product["manufacturerGln"], product["productCode"].casefold()): product
            for product in self.products
        }
        self.search_texts = {
            product["id"]: build_search_texts(product) for product in self.products
        }

    def get(self, product_id: int) -> Product:
        product = self.by_id.get(product_id)
        if product is None:
            raise NotFound(f"Product with id {product_id} not found.")

        return copy.deepcopy(product)

    def get_by_manufacturer(self, manufacturer_gln: str, product_code: str) -> Product:
        key = (manufacturer_gln, product_code.casefold())
        product = self.by_manufacturer_key.get(key)
        if product is None:
            raise NotFound(
                f"Product with manufacturerGln '{manufacturer_gln}' and "
                f"productCode '{product_code}' not found."
            )

        return copy.deepcopy(product)

    def search(self, request: SearchRequest) -> dict[str, Any]:
        """Return one page of search items with the total number of matches."""
        started = time.perf_counter()
        matches = self.query(request.search_string, request.filters)
        page = matches[request.offset : request.offset + request.size]
        took = round((time.perf_counter() - started) * 1000)

        return {
            "items": [build_search_item(product) for product in page],
            "took": took,
            "total": len(matches),
        }

    def facets(self, request: FacetRequest) -> list[dict[str, Any]]:
        """Return every facet with at most FACET_LIMIT values plus the active ones."""
        return [self.facet(code, request, FACET_LIMIT) for code in FACET_CODES]

    def facet_for_field(self, request: FacetRequest) -> dict[str, Any]:
        """Return the facet of request.field with all of its values."""
        assert request.field is not None
        return self.facet(request.field, request, limit=None)

    def facet(
        self, code: str, request: FacetRequest, limit: int | None
    ) -> dict[str, Any]:
        other_filters = [f for f in request.filters if f.code != code]
        matches = self.query(request.search_string, other_filters)
        field = FILTER_FIELDS[code.lower()][1]
        counts = Counter(product[field] for product in matches)
        selected = [
            value for f in request.filters if f.code == code for value in f.values
        ]

        return {
            "code": code,
            "portCode": FACET_PORT_CODE,
            "values": build_facet_values(counts, selected, limit),
        }

    def query(self, search_string: str, filters: Iterable[Filter]) -> list[Product]:
        """Return the products matching every word and every filter, by id."""
        words = [word.casefold() for word in search_string.split() if word != WILDCARD]
        value_sets = [
            (FILTER_FIELDS[f.code.lower()][1], {v.casefold() for v in f.values})
            for f in filters
        ]

        return [
            product
            for product in self.products
            if all(
                any(word in text for text in self.search_texts[product["id"]])
                for word in words
            )
            and all(
                str(product[field]).casefold() in values for field, values in value_sets
            )
        ]


def build_search_texts(product: Product) -> tuple[str, ...]:
    return tuple(str(product[field]).casefold() for field in SEARCH_FIELDS)


def build_search_item(product: Product) -> Product:
    return copy.deepcopy({field: product[field] for field in SEARCH_ITEM_FIELDS})


def build_facet_values(
    counts: Counter[str], selected: Sequence[str], limit: int | None
) -> list[dict[str, Any]]:
    """Order the values by count, then by code, and mark the selected ones.

    A selected value is always listed, after the others if it falls outside
    the limit, and with count 0 if no product has it.
    """
    active = {value.casefold() for value in selected}
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    listed = list(ordered if limit is None else ordered[:limit])
    listed_codes = {code.casefold() for code, _ in listed}

    for code, count in ordered[len(listed) :]:
        if code.casefold() in active:
            listed.append((code, count))
            listed_codes.add(code.casefold())
    for value in selected:
        if value.casefold() not in listed_codes:
            listed.append((value, 0))
            listed_codes.add(value.casefold())

    return [
        {"active": code.casefold() in active, "code": code, "count": count}
        for code, count in listed
    ]

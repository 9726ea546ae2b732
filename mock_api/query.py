"""Parse FGO+ query strings into typed search and facet requests.

Parameter names match case-insensitively, as ASP.NET Core model binding does.
Every problem is collected and raised as one ValidationProblem, keyed by the
parameter name, so that a client sees all its mistakes in one response.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from mock_api.errors import ErrorCollector

# Facet and filter codes, keyed by their lower-case form, to the canonical
# code and the product field that contains the value.
FILTER_FIELDS: dict[str, tuple[str, str]] = {
    "category": ("Category", "category"),
    "brand": ("Brand", "brand"),
    "model": ("Model", "model"),
    "version": ("Version", "version"),
}
FILTER_CODES = ", ".join(code for code, _ in FILTER_FIELDS.values())

MIN_SIZE = 1
MAX_SIZE = 100
MAX_SEARCH_STRING_LENGTH = 500
MAX_FILTER_VALUE_LENGTH = 200

FILTER_CODE_KEY = re.compile(r"filters\[(\d+)\]\.code", re.IGNORECASE)
FILTER_VALUE_KEY = re.compile(r"filters\[(\d+)\]\.values\[(\d+)\]\.code", re.IGNORECASE)
FILTER_KEY_FORMAT = (
    "expected 'Filters[i].Code' or 'Filters[i].Values[j].Code' "
    "where i and j are indexes counting from 0"
)


class SupportsGetlist(Protocol):
    """A werkzeug-style multi-dict: its keys, and all values of one key."""

    def keys(self) -> Iterable[str]: ...

    def getlist(self, key: str) -> list[str]: ...


QueryParams = Mapping[str, Sequence[str]] | SupportsGetlist


@dataclass(frozen=True)
class Filter:
    """One `Filters[i]` entry: a canonical filter code and the values OR-ed."""

    code: str
    values: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class SearchRequest:
    """A product search: words to match, paging, and the filters AND-ed."""

    search_string: str
    size: int
    offset: int = 0
    filters: tuple[Filter, ...] = ()


@dataclass(frozen=True, kw_only=True)
class FacetRequest:
    """A facet request; field is None for every facet, or one filter code."""

    search_string: str = "*"
    filters: tuple[Filter, ...] = ()
    field: str | None = None


def parse_search_request(query: QueryParams) -> SearchRequest:
    """Parse the parameters of `Fgo/Product/Search`."""
    params = normalize_query(query)
    errors = ErrorCollector()
    search_string = parse_search_string(params, errors, required=True)
    size = parse_integer(params, "Size", errors, required=True)
    offset = parse_integer(params, "From", errors, required=False)
    filters = parse_filters(params, errors)

    if size is not None and not MIN_SIZE <= size <= MAX_SIZE:
        errors.add(
            "Size", f"Size must be between {MIN_SIZE} and {MAX_SIZE}, got {size}."
        )
    if offset is not None and offset < 0:
        errors.add("From", f"From must be 0 or greater, got {offset}.")
    errors.raise_if_any()

    assert size is not None  # a missing Size was reported above
    return SearchRequest(
        search_string=search_string,
        size=size,
        offset=offset or 0,
        filters=filters,
    )


def parse_facet_request(query: QueryParams) -> FacetRequest:
    """Parse the parameters of `Fgo/Product/Filters`."""
    params = normalize_query(query)
    errors = ErrorCollector()
    search_string = parse_search_string(params, errors, required=True)
    filters = parse_filters(params, errors)
    errors.raise_if_any()

    return FacetRequest(search_string=search_string, filters=filters)


def parse_field_request(query: QueryParams) -> FacetRequest:
    """Parse `Fgo/Product/FiltersForField`: `field`, and optionally the rest."""
    params = normalize_query(query)
    errors = ErrorCollector()
    field = parse_single(params, "field", errors, required=True)
    search_string = parse_search_string(params, errors, required=False)
    filters = parse_filters(params, errors)

    code = None
    if field is not None:
        known = FILTER_FIELDS.get(field.strip().lower())
        if known is None:
            errors.add(
                "field",
                f"The value '{field}' is not a valid field; "
                f"expected one of {FILTER_CODES}.",
            )
        else:
            code = known[0]
    errors.raise_if_any()

    return FacetRequest(search_string=search_string, filters=filters, field=code)


def normalize_query(query: QueryParams) -> dict[str, list[tuple[str, str]]]:
    """Group the query by lower-case name, keeping each name as it was sent."""
    params: dict[str, list[tuple[str, str]]] = {}
    getlist = getattr(query, "getlist", None)
    for name in query.keys():
        values = getlist(name) if getlist is not None else query[name]  # type: ignore[index]
        for value in values:
            params.setdefault(name.lower(), []).append((name, str(value)))

    return params


def parse_single(
    params: Mapping[str, list[tuple[str, str]]],
    name: str,
    errors: ErrorCollector,
    *,
    required: bool,
) -> str | None:
    """Return the one value of a parameter, or report it missing or repeated."""
    sent = params.get(name.lower(), [])
    if not sent:
        if required:
            errors.add(name, f"The {name} field is required.")
        return None
    if len(sent) > 1:
        values = ", ".join(repr(value) for _, value in sent)
        errors.add(name, f"{name} must be given once, got {len(sent)}: {values}.")
        return None

    return sent[0][1]


def parse_search_string(
    params: Mapping[str, list[tuple[str, str]]],
    errors: ErrorCollector,
    *,
    required: bool,
) -> str:
    value = parse_single(params, "SearchString", errors, required=required)
    if value is None:
        return "*"
    if not value.strip():
        errors.add(
            "SearchString",
            "The SearchString field is required; send '*' to match every product.",
        )
    elif len(value) > MAX_SEARCH_STRING_LENGTH:
        errors.add(
            "SearchString",
            f"SearchString must be at most {MAX_SEARCH_STRING_LENGTH} characters, "
            f"got {len(value)}.",
        )

    return value


def parse_integer(
    params: Mapping[str, list[tuple[str, str]]],
    name: str,
    errors: ErrorCollector,
    *,
    required: bool,
) -> int | None:
    value = parse_single(params, name, errors, required=required)
    if value is None:
        return None
    # ASCII digits only: int() would also accept "1_0" and non-Latin digits.
    if not re.fullmatch(r"\s*[+-]?[0-9]{1,9}\s*", value):
        errors.add(
            name, f"The value '{value}' is not valid for {name}; expected an integer."
        )
        return None

    return int(value)


def parse_filters(
    params: Mapping[str, list[tuple[str, str]]], errors: ErrorCollector
) -> tuple[Filter, ...]:
    """Parse the `Filters[i].Code` and `Filters[i].Values[j].Code` parameters."""
    codes: dict[int, tuple[str, str]] = {}
    values: dict[int, dict[int, tuple[str, str]]] = {}

    for lower_name, sent in params.items():
        if not lower_name.startswith("filters"):
            continue
        name, value = sent[0]
        if len(sent) > 1:
            errors.add(name, f"{name} must be given once, got {len(sent)} values.")
            continue

        code_match = FILTER_CODE_KEY.fullmatch(name)
        value_match = FILTER_VALUE_KEY.fullmatch(name)
        if code_match:
            codes[int(code_match[1])] = (name, value)
        elif value_match:
            index, value_index = int(value_match[1]), int(value_match[2])
            values.setdefault(index, {})[value_index] = (name, value)
        else:
            errors.add(
                name, f"The parameter '{name}' is not valid; {FILTER_KEY_FORMAT}."
            )

    return build_filters(codes, values, errors)


def build_filters(
    codes: Mapping[int, tuple[str, str]],
    values: Mapping[int, Mapping[int, tuple[str, str]]],
    errors: ErrorCollector,
) -> tuple[Filter, ...]:
    filters: list[Filter] = []
    indexes = sorted(set(codes) | set(values))
    check_consecutive("Filters", indexes, errors)

    for index in indexes:
        code = validate_filter_code(index, codes.get(index), errors)
        filter_values = validate_filter_values(index, values.get(index, {}), errors)
        if code is not None and filter_values:
            filters.append(Filter(code, filter_values))

    return tuple(filters)


def validate_filter_code(
    index: int, sent: tuple[str, str] | None, errors: ErrorCollector
) -> str | None:
    if sent is None:
        errors.add(
            f"Filters[{index}].Code",
            f"The Filters[{index}].Code field is required when "
            f"Filters[{index}].Values is given; expected one of {FILTER_CODES}.",
        )
        return None

    name, code = sent
    known = FILTER_FIELDS.get(code.strip().lower())
    if known is None:
        errors.add(
            name,
            f"'{code}' is not a valid filter code; expected one of {FILTER_CODES}.",
        )
        return None

    return known[0]


def validate_filter_values(
    index: int, sent: Mapping[int, tuple[str, str]], errors: ErrorCollector
) -> tuple[str, ...]:
    if not sent:
        errors.add(
            f"Filters[{index}].Values",
            f"Filters[{index}] needs at least one value: send "
            f"Filters[{index}].Values[0].Code.",
        )
        return ()

    check_consecutive(f"Filters[{index}].Values", sorted(sent), errors)
    filter_values: list[str] = []
    for value_index in sorted(sent):
        name, value = sent[value_index]
        if not value.strip():
            errors.add(name, f"{name} must not be empty.")
        elif len(value) > MAX_FILTER_VALUE_LENGTH:
            errors.add(
                name,
                f"{name} must be at most {MAX_FILTER_VALUE_LENGTH} characters, "
                f"got {len(value)}.",
            )
        else:
            filter_values.append(value)

    return tuple(filter_values)


def check_consecutive(
    name: str, indexes: Sequence[int], errors: ErrorCollector
) -> None:
    # NOTE: ASP.NET Core silently ignores the entries after a gap in the
    # indexes. The mock rejects the gap instead, because a filter that is
    # silently dropped is hard to find in a client.
    if list(indexes) != list(range(len(indexes))):
        found = ", ".join(str(index) for index in indexes)
        errors.add(
            name,
            f"{name} indexes must count from 0 without gaps, got {found}.",
        )

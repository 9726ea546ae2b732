"""The OpenAPI 3.0 document of the mock APIs, served at /swagger/v1/swagger.json.

`build_openapi_document` is the source; `python -m mock_api.openapi_document`
writes it to openapi/swagger.json, which the app serves and a test compares.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

DOCUMENT_PATH = Path(__file__).parent / "openapi" / "swagger.json"
Schema = dict[str, Any]


def ref(name: str) -> Schema:
    return {"$ref": f"#/components/schemas/{name}"}


def string(**extra: Any) -> Schema:
    return {"type": "string", **extra}


def array(items: Schema) -> Schema:
    return {"type": "array", "items": items}


def obj(properties: dict[str, Schema], required: list[str] | None = None) -> Schema:
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema


def build_schemas() -> dict[str, Schema]:
    code_description = obj(
        {"code": string(), "description": string()}, ["code", "description"]
    )
    option = obj({"label": string(), "value": string()}, ["label", "value"])
    component = obj(
        {
            "type": string(),
            "key": string(),
            "label": string(),
            "values": array(option),
            "tooltip": string(),
            "description": string(),
            "hasNotRelevant": {"type": "boolean"},
            "components": array(ref("Component")),
        },
        ["type", "key"],
    )
    form_list_item = obj(
        {
            "code": string(example="FGO00001"),
            "version": {"type": "integer", "example": 3},
            "title": string(),
            "formCode": string(example="MBO_GAS"),
            "publisher": string(),
            "publisherLink": string(),
        },
        ["code", "version", "title", "formCode", "publisher", "publisherLink"],
    )
    form = {
        "allOf": [
            ref("FormListItem"),
            obj(
                {
                    "form": obj(
                        {"display": string(), "components": array(ref("Component"))},
                        ["components"],
                    )
                },
                ["form"],
            ),
        ]
    }
    item_properties: dict[str, Schema] = {
        "publish": {"type": "boolean"},
        "id": {"type": "integer"},
        "shortDescription": string(),
        "manufacturerGln": string(pattern="^[0-9]{13}$"),
        "manufacturerName": string(),
        "productCode": string(),
        "gtin": string(),
        "brand": string(),
        "model": string(),
        "version": string(),
        "category": string(),
        "etimClass": ref("CodeDescription"),
        "status": ref("CodeDescription"),
        "changeDate": string(format="date-time"),
        "startDate": string(format="date-time"),
        "isDeleted": {"type": "boolean"},
        "isDummy": {"type": "boolean"},
        "hasImage": {"type": "boolean"},
        "recordCreateDate": string(format="date-time"),
    }
    search_item = obj(item_properties, list(item_properties))
    feature = obj(
        {
            "code": string(example="EF000008"),
            "description": string(),
            "logicalValue": {"type": "boolean"},
            "numericValue": {"type": "number"},
        },
        ["code", "description"],
    )
    product = {
        "allOf": [
            ref("ProductSearchItem"),
            obj(
                {
                    "features": array(ref("Feature")),
                    "attachments": array(
                        obj({"location": string(), "title": string()})
                    ),
                    "checklist": array({}),
                    "faultCodes": array({}),
                },
                ["features", "attachments", "checklist", "faultCodes"],
            ),
        ]
    }
    facet = obj(
        {
            "code": string(enum=["Category", "Brand", "Model", "Version"]),
            "portCode": {"type": "integer"},
            "values": array(
                obj(
                    {
                        "active": {"type": "boolean"},
                        "code": string(),
                        "count": {"type": "integer", "minimum": 0},
                    },
                    ["active", "code", "count"],
                )
            ),
        },
        ["code", "portCode", "values"],
    )
    search_result = obj(
        {
            "items": array(ref("ProductSearchItem")),
            "took": {"type": "integer", "minimum": 0},
            "total": {"type": "integer", "minimum": 0},
        },
        ["items", "took", "total"],
    )
    problem = obj(
        {
            "type": string(),
            "title": string(),
            "status": {"type": "integer"},
            "detail": string(),
            "traceId": string(),
            "errors": {
                "type": "object",
                "additionalProperties": array(string()),
            },
        },
        ["type", "title", "status"],
    )
    report_request = obj(
        {
            "form_code": string(example="MBO_GAS"),
            "form_json": {"type": "object"},
            "data": {"type": "object"},
            "add_default_fields": {"type": "boolean"},
        },
        ["data"],
    )

    return {
        "CodeDescription": code_description,
        "Component": component,
        "FormListItem": form_list_item,
        "Form": form,
        "ProductSearchItem": search_item,
        "Feature": feature,
        "Product": product,
        "SearchResult": search_result,
        "Facet": facet,
        "ProblemDetails": problem,
        "ReportRequest": report_request,
    }


def json_response(description: str, schema: Schema) -> Schema:
    return {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }


def problem_response(description: str, challenge: bool = False) -> Schema:
    response: Schema = {
        "description": description,
        "content": {"application/problem+json": {"schema": ref("ProblemDetails")}},
    }
    if challenge:
        response["headers"] = {
            "WWW-Authenticate": {
                "description": "RFC 6750 bearer challenge",
                "schema": string(),
            }
        }
    return response


def build_error_responses(*statuses: int) -> dict[str, Schema]:
    descriptions = {
        400: ("One or more validation errors occurred.", False),
        401: ("Missing, invalid, expired or revoked access token.", True),
        403: ("The token lacks a scope or permission this API needs.", True),
        404: ("The form or product does not exist.", False),
        413: ("The request body is too large.", False),
        415: ("The request body is not JSON.", False),
        503: ("The identity provider cannot check the token.", False),
    }
    return {str(status): problem_response(*descriptions[status]) for status in statuses}


def query_parameter(
    name: str, schema: Schema, required: bool = False, **extra: Any
) -> Schema:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "schema": schema,
        **extra,
    }


def path_parameter(name: str, schema: Schema) -> Schema:
    return {"name": name, "in": "path", "required": True, "schema": schema}


def operation(
    operation_id: str,
    tag: str,
    summary: str,
    ok: Schema,
    errors: tuple[int, ...],
    parameters: list[Schema] | None = None,
) -> Schema:
    return {
        "operationId": operation_id,
        "tags": [tag],
        "summary": summary,
        "parameters": parameters or [],
        "responses": {"200": ok, **build_error_responses(*errors)},
    }


def build_paths() -> dict[str, Schema]:
    auth_errors = (401, 403, 503)
    filter_parameters = [
        query_parameter(
            "Filters[0].Code",
            string(enum=["Category", "Brand", "Model", "Version"]),
            description="Field of the first filter; further filters use "
            "Filters[1].Code and so on. Filters are AND-ed.",
        ),
        query_parameter(
            "Filters[0].Values[0].Code",
            string(),
            description="A value of the first filter; further values use "
            "Values[1] and so on. Values of one filter are OR-ed.",
        ),
    ]
    search_string = query_parameter(
        "SearchString",
        string(),
        required=True,
        description="Words that must all match; '*' matches every product.",
    )

    return {
        "/api/v1/Forms/Latest": {
            "get": operation(
                "getLatestForms",
                "Forms",
                "The latest version of each form.",
                json_response("Form list items.", array(ref("FormListItem"))),
                auth_errors,
            )
        },
        "/api/v1/Forms/All": {
            "get": operation(
                "getAllForms",
                "Forms",
                "Every version of the forms of an ETIM class.",
                json_response("Form list items.", array(ref("FormListItem"))),
                (400, *auth_errors),
                [query_parameter("classCode", string(example="EC011434"))],
            )
        },
        "/api/v1/Form/{code}/{version}/": {
            "get": operation(
                "getForm",
                "Forms",
                "One version of a form.",
                json_response("The form.", ref("Form")),
                (404, *auth_errors),
                [
                    path_parameter("code", string(example="FGO00001")),
                    path_parameter("version", {"type": "integer", "minimum": 0}),
                ],
            )
        },
        "/api/v1/Fgo/Product/Search": {
            "get": operation(
                "searchProducts",
                "FGO+",
                "Search products, sorted by id.",
                json_response("One page of products.", ref("SearchResult")),
                (400, *auth_errors),
                [
                    search_string,
                    query_parameter(
                        "Size", {"type": "integer", "minimum": 1, "maximum": 100}, True
                    ),
                    query_parameter(
                        "From",
                        {"type": "integer", "minimum": 0, "default": 0},
                        description="0-based offset of the first item.",
                    ),
                    *filter_parameters,
                ],
            )
        },
        "/api/v1/Fgo/Product/Filters": {
            "get": operation(
                "getProductFilters",
                "FGO+",
                "Facets of a search, top 20 values each.",
                json_response("Facets.", array(ref("Facet"))),
                (400, *auth_errors),
                [search_string, *filter_parameters],
            )
        },
        "/api/v1/Fgo/Product/FiltersForField": {
            "get": operation(
                "getProductFiltersForField",
                "FGO+",
                "One facet with all its values.",
                json_response("The facet.", ref("Facet")),
                (400, *auth_errors),
                [
                    query_parameter(
                        "field",
                        string(enum=["Category", "Brand", "Model", "Version"]),
                        required=True,
                    )
                ],
            )
        },
        "/api/v1/Fgo/Product/{id}": {
            "get": operation(
                "getProduct",
                "FGO+",
                "A full product by id.",
                json_response("The product.", ref("Product")),
                (400, 404, *auth_errors),
                [path_parameter("id", {"type": "integer", "minimum": 0})],
            )
        },
        "/api/v1/Fgo/Product/{manufacturerGln}/{productCode}": {
            "get": operation(
                "getProductByManufacturer",
                "FGO+",
                "A full product by manufacturer GLN and product code.",
                json_response("The product.", ref("Product")),
                (404, *auth_errors),
                [
                    path_parameter("manufacturerGln", string(example="8712345000004")),
                    path_parameter("productCode", string()),
                ],
            )
        },
        "/api/v1/third-party-reports/generate_report_template/": {
            "post": {
                **operation(
                    "generateReport",
                    "Reports",
                    "Render a report, or an empty fillable form, as PDF.",
                    {
                        "description": "The PDF.",
                        "content": {
                            "application/pdf": {
                                "schema": {"type": "string", "format": "binary"}
                            }
                        },
                    },
                    (400, 413, 415, *auth_errors),
                ),
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": ref("ReportRequest")}},
                },
            }
        },
    }


def build_openapi_document() -> dict[str, Any]:
    return {
        "openapi": "3.0.3",
        "info": {
            "title": "tn-mock Forms, FGO+ and Reports APIs",
            "version": "v1",
            "description": "Offline stand-in for the Techniek Nederland Forms "
            "Webservice, FGO+ Webservice and Reports endpoint.",
        },
        "paths": build_paths(),
        "components": {
            "schemas": build_schemas(),
            "securitySchemes": {
                "Bearer": {"type": "http", "scheme": "bearer"},
            },
        },
        "security": [{"Bearer": []}],
    }


@functools.cache
def load_openapi_document() -> dict[str, Any]:
    """Return the committed document; callers must not change it."""
    document: dict[str, Any] = json.loads(DOCUMENT_PATH.read_text(encoding="utf-8"))
    return document


def main() -> None:
    DOCUMENT_PATH.parent.mkdir(exist_ok=True)
    text = json.dumps(build_openapi_document(), indent=2) + "\n"
    DOCUMENT_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {DOCUMENT_PATH}")


if __name__ == "__main__":
    main()

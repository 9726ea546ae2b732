"""Exceptions that the catalogue, the query parser and the reports raise.

The view layer turns each into a problem-details response with the status
the exception carries, so none of these modules needs Flask.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path


class ApiProblem(Exception):
    """An error that a client caused, with its HTTP status and a message."""

    status = 400
    title = "Bad Request"

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class ValidationProblem(ApiProblem):
    """Invalid request parameters or body fields, keyed by parameter name."""

    status = 400
    title = "One or more validation errors occurred."

    def __init__(self, errors: Mapping[str, Sequence[str]]) -> None:
        self.errors = {name: list(messages) for name, messages in errors.items()}
        names = ", ".join(sorted(self.errors))
        super().__init__(f"invalid parameters: {names}")


class NotFound(ApiProblem):
    """A form or product that the catalogue does not contain."""

    status = 404
    title = "Not Found"


class ErrorCollector:
    """Collect validation messages per parameter and raise them together."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationProblem(self.errors)


class CatalogFileError(ValueError):
    """A user-supplied forms or products file that cannot be loaded."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = Path(path)
        self.problem = problem

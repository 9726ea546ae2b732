"""Form.io components and forms, built from short declarations.

A component with ``since=N`` first appears in version N of its form, so the
older versions of a form are the same definition with fewer questions, which
is how a publisher usually revises a checklist.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

PUBLISHER = "Techniek Nederland"
PUBLISHER_LINK = "https://www.technieknederland.nl"

YES_NO = (("Ja", "ja"), ("Nee", "nee"))
YES_NO_NOT_APPLICABLE = (("Ja", "ja"), ("Nee", "nee"), ("N.v.t.", "nvt"))
APPROVED_REJECTED = (("Goedgekeurd", "goedgekeurd"), ("Afgekeurd", "afgekeurd"))
GOOD_MODERATE_BAD = (("Goed", "goed"), ("Matig", "matig"), ("Slecht", "slecht"))


@dataclass(frozen=True, kw_only=True)
class Question:
    """One Form.io component of a sample form, with the version it appeared in."""

    type: str
    key: str
    label: str
    since: int = 1
    values: tuple[tuple[str, str], ...] = ()
    tooltip: str | None = None
    description: str | None = None
    has_not_relevant: bool = False
    columns: tuple[Question, ...] = ()

    def to_component(self, version: int) -> dict[str, Any]:
        component: dict[str, Any] = {
            "type": self.type,
            "key": self.key,
            "label": self.label,
            "input": True,
        }
        if self.values:
            component["values"] = [
                {"label": label, "value": value} for label, value in self.values
            ]
        if self.tooltip:
            component["tooltip"] = self.tooltip
        if self.description:
            component["description"] = self.description
        if self.has_not_relevant:
            component["hasNotRelevant"] = True
        if self.type == "datagrid":
            component["components"] = [
                column.to_component(version)
                for column in self.columns
                if column.since <= version
            ]

        return component


@dataclass(frozen=True, kw_only=True)
class FormSpec:
    """A sample form and the number of versions published of it."""

    code: str
    form_code: str
    title: str
    versions: int
    etim_classes: tuple[str, ...]
    questions: tuple[Question, ...] = field(default=())

    def to_records(self) -> list[dict[str, Any]]:
        return [self.to_record(version) for version in range(1, self.versions + 1)]

    def to_record(self, version: int) -> dict[str, Any]:
        components = [
            question.to_component(version)
            for question in self.questions
            if question.since <= version
        ]

        return {
            "code": self.code,
            "version": version,
            "title": self.title,
            "formCode": self.form_code,
            "publisher": PUBLISHER,
            "publisherLink": PUBLISHER_LINK,
            "etimClasses": list(self.etim_classes),
            "form": {"display": "form", "components": components},
        }


def radio(
    key: str, label: str, values: tuple[tuple[str, str], ...], **extra: Any
) -> Question:
    return Question(type="radio", key=key, label=label, values=values, **extra)


def textfield(key: str, label: str, **extra: Any) -> Question:
    return Question(type="textfield", key=key, label=label, **extra)


def textarea(key: str, label: str, **extra: Any) -> Question:
    return Question(type="textarea", key=key, label=label, **extra)


def photo(key: str, label: str, **extra: Any) -> Question:
    return Question(type="photo", key=key, label=label, **extra)


def datagrid(key: str, label: str, *columns: Question, **extra: Any) -> Question:
    return Question(type="datagrid", key=key, label=label, columns=columns, **extra)

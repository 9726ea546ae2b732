"""The request journal: one-line assertions on what the client sent."""

from __future__ import annotations

import json

import pytest

from mock_idp.journal import Journal
from mock_idp.journal import fingerprint

from .conftest import LiveServer
from .toolkit_support import controller
from .toolkit_support import login


def test_journal_answers_one_line_questions(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    client = login(live_idp)
    client.refresh()
    client.userinfo()
    journal = control.request_journal

    assert journal.last(endpoint="token", grant_type="authorization_code").sent(
        "code_verifier"
    )
    assert journal.count(endpoint="token", grant_type="refresh_token") == 1
    assert journal.count(token_status="expired") == 0
    assert journal.count(sub="1001", endpoint="userinfo", status=200) == 1


def test_journal_redacts_secrets(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    client = login(live_idp)
    refresh_token = client.token["refresh_token"]
    client.refresh()

    dumped = json.dumps(control.journal())
    entry = control.request_journal.last(grant_type="refresh_token")

    assert refresh_token not in dumped
    assert client.token["access_token"] not in dumped
    assert entry.form["refresh_token"] == fingerprint(refresh_token)
    assert entry.token == fingerprint(refresh_token)
    assert entry.client_id == "test-client"


def test_fingerprint_never_shows_more_than_half() -> None:
    assert fingerprint("abcdefghijkl").startswith("abcdef…")
    assert fingerprint("jan").startswith("j…")


def test_journal_is_bounded(live_idp: LiveServer) -> None:
    journal = Journal(live_idp.state.clock, max_entries=3)
    for number in range(5):
        journal.start(method="GET", path=f"/{number}", endpoint="x")

    assert [entry.path for entry in journal.entries()] == ["/2", "/3", "/4"]


def test_journal_filters_through_the_controller(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    login(live_idp)

    assert len(control.journal(endpoint="token", status="200")) == 1
    assert len(control.journal(sent="code_verifier")) == 1
    with pytest.raises(ValueError, match="unknown journal filter"):
        control.journal(colour="red")


def test_reset_clears_journal_and_failures(live_idp: LiveServer) -> None:
    control = controller(live_idp)
    control.freeze(at=1_900_000_000)
    control.configure(access_token_format="jwt")
    login(live_idp)
    control.queue_failure("token", status=503)
    kids = control.keys()

    control.reset()

    assert control.journal() == []
    assert control.failures() == []
    assert control.clock()["frozen"] is False
    assert control.settings()["access_token_format"] == "opaque"
    assert control.keys() == kids
    assert login(live_idp).userinfo().status_code == 200

"""The plugin's login through the login and consent pages."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.tn_mock(auto_approve=False)
def test_plugin_login_allows_consent(tn_mock: Any) -> None:
    tokens = tn_mock.login("fatima")

    assert tn_mock.userinfo(tokens.access_token)["sub"] == "1002"

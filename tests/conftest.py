import sys
from pathlib import Path

import pytest

# The helper module sits next to the tests, which pytest does not import as
# a package.
sys.path.insert(0, str(Path(__file__).parent))

from api_support import DictTokenValidator  # noqa: E402

from mock_api.app import create_app  # noqa: E402
from mock_api.catalog import load_catalog  # noqa: E402


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture
def validator() -> DictTokenValidator:
    validator = DictTokenValidator()
    validator.add("full-token")
    validator.add("json-token", permissions=("form_json",))
    validator.add("forms-only", scope="openid FGOForm")
    validator.add("fgo-old-name", scope="openid FGOWS")
    validator.add("profile-only", scope="openid profile")
    validator.add("revoked-token", active=False)
    return validator


@pytest.fixture
def api_app(catalog, validator):
    return create_app(catalog, validator)


@pytest.fixture
def client(api_app):
    return api_app.test_client()

import pytest

from tests.guest import is_guest
from tests.xvfb import start_xvfb


@pytest.fixture(scope="session")
def xserver():
    # The windows these tests start save their settings on close: into the guest
    # folders of tests/conftest.py, never the user's ~/.config.
    assert is_guest(), "tests/conftest.py did not make this session a guest"
    server = start_xvfb()
    yield server
    server.stop()


def pytest_collection_modifyitems(items):
    for item in items:
        if "realwindow" in str(item.fspath):
            item.add_marker(pytest.mark.realwindow)

import pytest

from tests.xvfb import start_xvfb


@pytest.fixture(scope="session")
def xserver():
    server = start_xvfb()
    yield server
    server.stop()


def pytest_collection_modifyitems(items):
    for item in items:
        if "realwindow" in str(item.fspath):
            item.add_marker(pytest.mark.realwindow)

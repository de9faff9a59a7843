"""Session-wide fixtures."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from d2lvi.build.protocol import TOKEN, socket_path, stop


@pytest.fixture(scope="session", autouse=True)
def stop_build_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Stop the build servers of the books the tests built (they would idle on otherwise)."""
    yield
    for token in tmp_path_factory.getbasetemp().rglob(TOKEN):
        stop(socket_path(token.parent.parent))

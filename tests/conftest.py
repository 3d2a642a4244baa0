import os
from pathlib import Path

import pytest

import suite.testing  # noqa: F401  (registers the probe methods)


def mirror_has(*relpaths: str) -> bool:
    from suite.datasets.mirror import cache_dir, mirror_dir

    roots = [cache_dir()] + ([mirror_dir()] if mirror_dir() else [])
    return all(any((r / p).is_file() for r in roots) for p in relpaths)


CORA = "Planetoid/Cora/raw/ind.cora.x"
needs_mirror = pytest.mark.skipif(
    not mirror_has(CORA),
    reason="real datasets absent: set NETARENA_DATA_MIRROR (CI sets ../shared/datasets)",
)


@pytest.fixture
def results_dir(tmp_path) -> Path:
    return tmp_path / "results"


@pytest.fixture(scope="session")
def runner_factory():
    from suite.runner import Runner

    def make(results: Path, **kw):
        kw.setdefault("progress", False)
        kw.setdefault("num_threads", 1)
        return Runner(results, **kw)

    return make


@pytest.fixture(autouse=True)
def _no_downloads_in_tests(monkeypatch):
    # Tests never reach the network; the offline error path is tested explicitly.
    monkeypatch.setenv("NETARENA_OFFLINE", os.environ.get("NETARENA_OFFLINE", "1"))

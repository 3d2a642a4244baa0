"""The suite's data cache and the offline mirror that can fill it.

``NETARENA_CACHE`` (default ``$XDG_CACHE_HOME/netarena`` or
``~/.cache/netarena``) holds PyG roots: ``<cache>/Planetoid/Cora/raw/...``.
``NETARENA_DATA_MIRROR`` names a read-only folder with the same layout. Files
are copied from the mirror (never written there), checked against the SHA-256
in ``manifest.json``, and then PyG processes them in the cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from functools import lru_cache
from pathlib import Path
from typing import Callable

from suite.errors import DatasetMissingError

MANIFEST_PATH = Path(__file__).with_name("manifest.json")


def cache_dir() -> Path:
    env = os.environ.get("NETARENA_CACHE")
    if env:
        return Path(env).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser().resolve() / "netarena"


def mirror_dir() -> Path | None:
    env = os.environ.get("NETARENA_DATA_MIRROR")
    return Path(env).expanduser().resolve() if env else None


def downloads_allowed() -> bool:
    return os.environ.get("NETARENA_OFFLINE", "").lower() not in ("1", "true", "yes")


@lru_cache(maxsize=1)
def manifest() -> dict:
    return json.loads(MANIFEST_PATH.read_text())


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _verified(path: Path, rel: str) -> bool:
    want = manifest().get(rel, {}).get("sha256")
    return path.is_file() and (want is None or sha256_file(path) == want)


def _copy_verified(src: Path, dst: Path, rel: str) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + f".tmp{os.getpid()}")
    shutil.copyfile(src, tmp)
    want = manifest().get(rel, {}).get("sha256")
    got = sha256_file(tmp)
    if want is not None and got != want:
        tmp.unlink()
        raise DatasetMissingError(
            f"{src} has SHA-256 {got[:12]}..., expected {want[:12]}... (manifest.json): "
            "the mirror copy is damaged or a different version; replace it with the original file"
        )
    os.replace(tmp, dst)


def stage(relpaths: list[str]) -> list[str]:
    """Make ``relpaths`` (relative to the cache root) present and verified.

    Returns the paths that neither the cache nor the mirror could provide.
    """
    root, mirror = cache_dir(), mirror_dir()
    missing = []
    for rel in relpaths:
        dst = root / rel
        if _verified(dst, rel):
            continue
        src = mirror / rel if mirror else None
        if src is not None and src.is_file():
            _copy_verified(src, dst, rel)
        else:
            missing.append(rel)
    return missing


def missing_message(dataset: str, missing: list[str], reason: str) -> str:
    mirror = mirror_dir()
    if mirror is None:
        where = f"cache {cache_dir()} (NETARENA_DATA_MIRROR is not set)"
    else:
        where = f"cache {cache_dir()} and mirror {mirror}" + ("" if mirror.is_dir() else " (no such folder)")
    shown = ", ".join(missing[:4]) + (f" and {len(missing) - 4} more" if len(missing) > 4 else "")
    return (
        f"dataset {dataset}: missing raw files {shown}; looked in {where}; {reason}. "
        f"Fix: run once with internet access, or set NETARENA_DATA_MIRROR to a folder laid out "
        f"like PyG roots that holds them, or copy them to {cache_dir()}/<same path>"
    )


def load_pyg(dataset: str, relpaths: list[str], build: Callable[[Path], object]):
    """Stage ``relpaths`` then call ``build(cache_root)`` (a PyG dataset constructor).

    When files are missing and downloads are allowed, PyG downloads them; a failed
    download becomes one :class:`DatasetMissingError` that says what to do.
    """
    missing = stage(relpaths)
    if missing and not downloads_allowed():
        raise DatasetMissingError(missing_message(dataset, missing, "downloads are off (NETARENA_OFFLINE=1)"))
    try:
        obj = build(cache_dir())
    except Exception as exc:  # PyG raises URLError/OSError/HTTPError when offline
        if not missing:
            raise
        reason = f"download failed ({type(exc).__name__}: {str(exc).splitlines()[0][:120]})"
        raise DatasetMissingError(missing_message(dataset, missing, reason)) from None
    # Downloaded files are checked against the manifest too.
    bad = [rel for rel in missing if not _verified(cache_dir() / rel, rel)]
    if bad:
        raise DatasetMissingError(
            f"dataset {dataset}: downloaded files {', '.join(bad)} do not match manifest.json; "
            f"delete them from {cache_dir()} and retry, or report the changed upstream file"
        )
    return obj

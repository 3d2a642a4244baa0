"""Submitted methods: where they come from, and the checks they pass before a sweep.

A method is an ``nn.Module`` class registered with
:func:`suite.method.register_method`, the decorator the built-in baselines
use. It reaches the suite in one of three ways:

* a Python file: ``netarena submit path/to/method.py`` (or ``--method path/to/method.py[:Name]``);
* a module of an installed package: ``--method package.module:Name``;
* an entry point in the group ``netarena.methods`` of any installed
  distribution, e.g. in its ``pyproject.toml``::

      [project.entry-points."netarena.methods"]
      my-method = "my_package.methods"

  Entry points are imported when the method registry is first read, so such
  methods are listed, run and ranked like built-in ones.

A method whose class is defined outside the ``suite`` package is a
*submission*: its rows carry a ``submission`` column (authors, URLs, where
the code came from and its hash) and the leaderboard marks them.

Every run already happens in its own worker process under a wall-time and a
memory limit (:mod:`suite.worker`). ``netarena submit`` adds checks that fail
fast, before any long run: the file imports (in a separate process under the
same limits, so an import that loops or allocates without bound is caught),
registers at least one method, declares its search grid, supports the
requested track, fits the tasks' parameter budgets, and survives a dry run on
the track's tiny probe task (:mod:`suite.tasks.probe`) with outputs of the
shape and dtype the track's evaluator accepts.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import importlib.util
import json
import re
import subprocess
import sys
import tempfile
import threading
import traceback
from pathlib import Path

from suite.errors import NetArenaError, UnknownNameError

ENTRY_POINT_GROUP = "netarena.methods"
STARTUP_TIMEOUT_S = 600  # a fresh interpreter importing torch, PyG and the baselines, on a busy machine
FILE_MODULE_PREFIX = "netarena_submission_"


class SubmissionError(NetArenaError):
    """A submitted method that cannot run: the message names the problem and the fix."""


def is_reference(name: str) -> bool:
    """Whether ``name`` points at code (``file.py``, ``file.py:Name``, ``package.module:Name``), not a registered name."""
    return name.endswith(".py") or ".py:" in name or ":" in name


def _module_name(path: Path) -> str:
    """A stable module name for a submitted file: the same file gets the same name in every process."""
    stem = re.sub(r"\W", "_", path.stem)
    return f"{FILE_MODULE_PREFIX}{stem}_{hashlib.sha256(str(path).encode()).hexdigest()[:8]}"


def _methods_of(module_name: str) -> list:
    from suite.registry import METHODS

    return [m for m in METHODS if m.cls.__module__ == module_name]


def _where(exc: BaseException, path: Path | None = None) -> str:
    """`` [file:line]`` of the innermost frame in the submitted file (else the innermost frame)."""
    frames = traceback.extract_tb(exc.__traceback__)
    if path is not None:
        frames = [f for f in frames if Path(f.filename) == path] or frames
    return f" [{Path(frames[-1].filename).name}:{frames[-1].lineno}]" if frames else ""


def load_file(path: str | Path) -> list:
    """Import a method file once per process; returns the :class:`MethodSpec` of each method it registers."""
    from suite.registry import METHODS

    path = Path(path).expanduser().resolve()
    if not path.is_file():
        raise SubmissionError(f"no such file: {path}; give the path of a Python file that registers a method")
    if path.suffix != ".py":
        raise SubmissionError(f"{path} is not a Python file (.py); a submission is one .py file or a module:Name")
    name = _module_name(path)
    if name not in sys.modules:
        len(METHODS)  # the baselines first, so a name clash is reported as one
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        module.__netarena_file__ = str(path)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except SyntaxError as exc:
            del sys.modules[name]
            raise SubmissionError(f"{path}:{exc.lineno}: syntax error: {exc.msg}; fix the file and submit again") from None
        except NetArenaError:
            del sys.modules[name]
            raise
        except ValueError as exc:
            del sys.modules[name]
            if "registered twice" in str(exc):
                raise SubmissionError(f"{path}: {exc}: a built-in method or another submission already has that "
                                      "name; rename yours (the first argument of @register_method)") from None
            raise SubmissionError(f"{path}: importing it raised ValueError: {exc}{_where(exc, path)}") from None
        except BaseException as exc:  # noqa: BLE001  (anything the file does at import time)
            del sys.modules[name]
            if isinstance(exc, KeyboardInterrupt):
                raise
            first = str(exc).splitlines()[0] if str(exc) else ""
            raise SubmissionError(f"{path}: importing it raised {type(exc).__name__}: {first}{_where(exc, path)}; "
                                  "fix the file and submit again") from None
    specs = _methods_of(name)
    if not specs:
        raise SubmissionError(f"{path} registers no method: decorate an nn.Module class with "
                              "@register_method(...) from suite.method (see examples/sign.py)")
    return specs


def load_module(module_name: str) -> list:
    """Import ``module_name``; returns the specs of the methods it registers."""
    try:
        importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        raise SubmissionError(f"cannot import {module_name!r} ({exc}); install its package or check the spelling "
                              "(expected package.module:Name)") from None
    except NetArenaError:
        raise
    except Exception as exc:  # noqa: BLE001
        raise SubmissionError(f"importing {module_name} raised {type(exc).__name__}: {exc}{_where(exc)}") from None
    specs = _methods_of(module_name)
    if not specs:
        raise SubmissionError(f"module {module_name} registers no method: decorate an nn.Module class with "
                              "@register_method(...) from suite.method")
    return specs


def resolve(ref: str) -> list[str]:
    """The method names ``ref`` stands for: a registered name, or code (``file.py[:Name]``, ``package.module:Name``)."""
    from suite.registry import METHODS

    if not is_reference(ref):
        return [METHODS.get(ref).name]
    where, _, pick = ref.rpartition(":") if ":" in ref else (ref, "", "")
    if not where:  # "file.py" without ":Name"
        where, pick = ref, ""
    specs = load_file(where) if where.endswith(".py") else load_module(where)
    if not pick:
        return [s.name for s in specs]
    chosen = [s for s in specs if pick in (s.name, s.cls.__name__)]
    if not chosen:
        names = ", ".join(f"{s.cls.__name__} ({s.name})" for s in specs)
        raise UnknownNameError(f"{where} defines no registered method {pick!r}; it registers: {names}")
    return [chosen[0].name]


def method_source(spec) -> str:
    """Where a worker process finds ``spec``'s code: ``file:<path>`` for a submitted file, else ``module:<name>``."""
    module = sys.modules.get(spec.cls.__module__)
    path = getattr(module, "__netarena_file__", None)
    return f"file:{path}" if path else f"module:{spec.cls.__module__}"


def load_source(source: str | None) -> None:
    """Import what :func:`method_source` names (in a worker, or on a Ray node), registering its methods."""
    if not source:
        return
    kind, _, where = source.partition(":")
    if kind == "file":
        if _module_name(Path(where)) not in sys.modules:
            load_file(where)
    elif where not in sys.modules:
        importlib.import_module(where)


def is_submission(spec) -> bool:
    """Methods defined outside the ``suite`` package are submissions."""
    return not (spec.cls.__module__ == "suite" or spec.cls.__module__.startswith("suite."))


def submission_info(spec) -> dict | None:
    """What a submission's rows record about it (None for built-in methods): metadata and where the code came from."""
    if not is_submission(spec):
        return None
    from suite.runner import method_code_version

    source = method_source(spec)
    kind, _, where = source.partition(":")
    if kind == "file":
        try:
            where = str(Path(where).relative_to(Path.cwd()))
        except ValueError:
            pass
    info = {"name": spec.name, "authors": spec.authors, "paper": spec.paper, "paper_url": spec.paper_url,
            "code_url": spec.code_url, "source": f"{kind}:{where}", "code_sha256": method_code_version(spec.name),
            "grid": spec.grid}
    top = spec.cls.__module__.split(".")[0]
    dists = importlib.metadata.packages_distributions().get(top) if kind == "module" else None
    if dists:
        info["distribution"] = f"{dists[0]}=={importlib.metadata.version(dists[0])}"
    return info


def load_entry_points() -> None:
    """Import every ``netarena.methods`` entry point; one that fails is reported on stderr and skipped."""
    for ep in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            ep.load()
        except Exception as exc:  # noqa: BLE001  (a broken plug-in must not break the suite)
            dist = getattr(ep.dist, "name", "?")
            print(f"netarena: skipped entry point {ep.name} = {ep.value} of {dist}: {type(exc).__name__}: {exc}",
                  file=sys.stderr)


# ---- checks before a sweep -------------------------------------------------------------------------------------

_HTTP = re.compile(r"^https?://[^\s<>\"']+$")


def check_declaration(spec, tracks: list[str]) -> list[str]:
    """Problems with what ``spec`` declares (empty: none)."""
    from suite.tracks import TRACKS

    problems = []
    if not spec.grid_declared:
        problems.append(f"{spec.name} declares no search grid: pass grid=dict(lr=[...], ...) to @register_method "
                        "(the sweep tunes every method within the same budget, and the grid is disclosed)")
    for key, values in spec.grid.items():
        if key not in spec.defaults:
            problems.append(f"{spec.name}: grid key {key!r} is not a hyperparameter in defaults; add it to defaults")
        elif not isinstance(values, (list, tuple)) or not values:
            problems.append(f"{spec.name}: grid[{key!r}] must be a non-empty list of values, got {values!r}")
    unknown = [t for t in spec.tracks if t not in TRACKS]
    if unknown:
        problems.append(f"{spec.name}: unknown track(s) {', '.join(unknown)}; tracks are {', '.join(sorted(TRACKS))}")
    missing = [t for t in tracks if t not in spec.tracks]
    if missing:
        problems.append(f"{spec.name} supports tracks {', '.join(spec.tracks)}, not {', '.join(missing)}; add them to "
                        "tracks=(...) in @register_method, or submit to another track")
    if not spec.authors.strip():
        problems.append(f"{spec.name} has no authors: pass authors='...' to @register_method (shown on the leaderboard)")
    for field in ("paper_url", "code_url"):
        url = getattr(spec, field)
        if url and not _HTTP.match(url):
            problems.append(f"{spec.name}: {field} {url!r} is not an http(s) URL")
    return problems


def inspect_isolated(ref: str, timeout_s: float, memory_limit_bytes: int | None) -> list[dict]:
    """Import ``ref`` in a separate Python process under the run limits; its methods' declarations.

    A file that loops, allocates without bound or crashes at import time is
    reported here, before this process imports it.
    """
    cmd = [sys.executable, "-m", "suite.submission", ref, str(memory_limit_bytes or 0)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0)  # unbuffered: see below
    # The clock starts once the child has imported torch and the suite ("ready"): a loaded machine can take long
    # for that, and only the submission's own import is limited.
    guard = threading.Timer(STARTUP_TIMEOUT_S, proc.kill)
    guard.start()
    try:
        ready = proc.stdout.readline().strip() == b"ready"  # byte by byte: the rest stays in the pipe
    finally:
        guard.cancel()
    try:
        stdout, stderr = (b.decode(errors="replace") for b in proc.communicate(timeout=timeout_s if ready else 10))
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise SubmissionError(f"importing {ref} took over {timeout_s:g} s (does it loop at import time?); move "
                              "work out of module level, or raise --dry-run-timeout") from None
    if proc.returncode != 0:
        lines = [ln for ln in stderr.strip().splitlines() if ln.strip()]
        last = lines[-1] if lines else f"exit code {proc.returncode}"
        if proc.returncode < 0 or "MemoryError" in last or "can't allocate memory" in last:
            raise SubmissionError(f"importing {ref} failed: {last.removeprefix('error: ')} (memory limit "
                                  f"{(memory_limit_bytes or 0) / 2**30:.1f} GiB: --memory-limit)")
        raise SubmissionError(last.removeprefix("error: "))
    return json.loads(stdout.strip().splitlines()[-1])


def dry_run(name: str, track: str, timeout_s: float, memory_limit_bytes: int | None,
            num_threads: int = 1) -> str | None:
    """Train method ``name`` for two epochs on ``track``'s probe task in a worker, into a temporary folder.

    Returns None if it ran and the evaluator accepted its test output, else the one-line reason.
    """
    from suite.runner import Runner, plan
    from suite.tasks.probe import probe_task

    with tempfile.TemporaryDirectory(prefix="netarena-dry-run-") as tmp:
        runner = Runner(Path(tmp), timeout_s=timeout_s, num_threads=num_threads, progress=False,
                        memory_limit_bytes=memory_limit_bytes)
        row = runner.run(plan([probe_task(track)], [name], 1, suite="dry-run")[:1])[0]
        return None if row["status"] == "ok" else (row["error"] or row["status"])


def _inspect_main(ref: str, memory_limit_bytes: int) -> int:
    """``python -m suite.submission REF LIMIT``: import REF under the memory limit, print its methods as JSON."""
    import suite.baselines  # noqa: F401  (heavy imports first: the limit is on what the submission adds)
    from suite.registry import METHODS
    from suite.worker import limit_memory

    len(METHODS)
    if memory_limit_bytes:
        limit_memory(memory_limit_bytes)
    print("ready", flush=True)
    try:
        names = resolve(ref)
    except NetArenaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    out = []
    for name in names:
        spec = METHODS.get(name)
        out.append({"name": spec.name, "tracks": list(spec.tracks), "grid_declared": spec.grid_declared,
                    "defaults": spec.defaults, "kind": spec.kind})
    print(json.dumps(out, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(_inspect_main(sys.argv[1], int(sys.argv[2])))

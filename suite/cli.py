"""Command line: ``netarena list|run|leaderboard|results|wl-bound`` (also ``python -m suite``)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from suite.errors import ConfigError, DatasetMissingError, NetArenaError


def _results_dir(args) -> Path:
    return Path(args.results or os.environ.get("NETARENA_RESULTS", "results"))


def _split_names(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _parse_overrides(pairs: list[str]) -> dict:
    out = {}
    for pair in pairs or []:
        if "=" not in pair:
            raise ConfigError(f"--config expects key=value, got {pair!r} (e.g. --config hidden=64)")
        key, value = pair.split("=", 1)
        out[key.strip()] = value.strip()
    return out


def cmd_list(args) -> int:
    from tabulate import tabulate

    from suite.registry import METHODS, SUITES, TASKS

    if args.what == "tasks":
        rows = [[t.name, t.track, t.dataset, t.metric, "higher" if t.higher_is_better else "lower",
                 t.split, f"v{t.version}", "synthetic" if t.synthetic else "bundled" if "bundled" in t.source else "files"]
                for t in TASKS if not t.probe]
        print(tabulate(rows, headers=["task", "track", "dataset", "metric", "better", "split", "version", "data"],
                       tablefmt="simple", maxcolwidths=[None, None, None, None, None, 60, None, None]))
    elif args.what == "methods":
        rows = [[m.name, m.kind, ",".join(m.tracks), m.paper,
                 ", ".join(f"{k}={v}" for k, v in m.defaults.items())] for m in METHODS]
        print(tabulate(rows, headers=["method", "kind", "tracks", "paper", "hyperparameters (paper defaults)"],
                       tablefmt="simple", maxcolwidths=[None, None, None, 45, 60]))
    else:
        rows = [[s.name, ",".join(dict.fromkeys(t for p in s.sweeps() for t in p.tracks)), s.seeds, s.description]
                for s in SUITES]
        print(tabulate(rows, headers=["suite", "tracks", "seeds", "description"], tablefmt="simple",
                       maxcolwidths=[None, None, None, 90]))
    return 0


def _expand(names: list[str], registry, tracks: tuple[str, ...] | None) -> list[str]:
    """Names as given (unknown ones fail with suggestions); ``*``/``all``: every item of ``tracks``
    (large tasks and the test suite's probe methods only by name)."""
    if names in (["*"], ["all"]):
        items = [registry.get(n) for n in registry.names()]
        return [i.name for i in items if not getattr(i, "large", False) and not getattr(i, "probe", False)
                and getattr(i, "kind", None) != "probe" and (
                tracks is None or getattr(i, "track", None) in tracks or set(tracks) & set(getattr(i, "tracks", ())))]
    if registry.kind == "method":  # file.py[:Name] or package.module:Name: import it, use what it registers
        from suite.submission import is_reference, resolve

        return list(dict.fromkeys(m for n in names for m in (resolve(n) if is_reference(n) else [registry.get(n).name])))
    return [registry.get(n).name for n in names]  # unknown names fail here, with suggestions


def suite_sweeps(spec, task_names: list[str], method_names: list[str], seeds: int | None,
                 cli_protocol: dict) -> list[tuple]:
    """(tasks, methods, seeds, method overrides, protocol) of each sweep of suite ``spec``.

    Named tasks/methods (``--task``/``--method``) replace the suite's own lists; each part keeps those of its
    tracks. A part left without tasks or methods is dropped.
    """
    from suite.registry import METHODS, TASKS

    sweeps = []
    for part in spec.sweeps():
        tasks = _expand(task_names or list(part.tasks), TASKS, part.tracks)
        methods = _expand(method_names or list(part.methods), METHODS, part.tracks)
        if part is not spec:
            tasks = [t for t in tasks if TASKS.get(t).track in part.tracks]
            methods = [m for m in methods if set(METHODS.get(m).tracks) & set(part.tracks)]
        if tasks and methods:
            sweeps.append((tasks, methods, part.seeds if seeds is None else seeds, part.method_overrides,
                           {**part.protocol, **cli_protocol}))
    return sweeps


def cmd_run(args) -> int:
    from suite.leaderboard import write_leaderboard
    from suite.registry import METHODS, SUITES, TASKS
    from suite.runner import pending, plan, run_planned, skip_message

    overrides = _parse_overrides(args.config)
    cli_protocol = {k: v for k, v in (("trials", args.trials), ("sampler", args.sampler),
                                      ("search_seed", args.search_seed), ("param_budget", args.param_budget))
                    if v is not None}
    if args.suite:
        spec = SUITES.get(args.suite)
        sweeps = suite_sweeps(spec, _split_names(args.task), _split_names(args.method), args.seeds, cli_protocol)
        skip_missing = spec.skip_missing_data
    else:
        if not args.task or not args.method:
            raise ConfigError("run needs --task and --method (comma-separated names or 'all'), or --suite NAME")
        sweeps = [(_expand(_split_names(args.task), TASKS, None), _expand(_split_names(args.method), METHODS, None),
                   args.seeds, {}, cli_protocol)]
        skip_missing = False

    runner = _runner(args)
    tasks = list(dict.fromkeys(t for sweep in sweeps for t in sweep[0]))
    methods = list(dict.fromkeys(m for sweep in sweeps for m in sweep[1]))
    available, missing = runner.available(tasks)
    if missing and not skip_missing:
        raise DatasetMissingError(next(iter(missing.values())))
    if missing:
        print(skip_message(missing), file=sys.stderr)

    def make_plan():
        runs = []
        for sweep_tasks, sweep_methods, seeds, method_overrides, protocol in sweeps:
            runs += plan([t for t in sweep_tasks if t in available], sweep_methods, seeds, overrides,
                         suite=args.suite, method_overrides=method_overrides, protocol=protocol,
                         results_dir=runner.results_dir)
        return runs

    runs = make_plan()
    if not runs:
        raise ConfigError("nothing to run: no selected method supports the selected tasks' tracks")
    todo, skipped = pending(runs, runner.results_dir, retry_failed=args.retry_failed, force=args.force)
    print(f"{len(runs)} runs ({len(available)} tasks, {len(methods)} methods, their configs and seeds) -> "
          f"{runner.results_dir}/", file=sys.stderr)
    if skipped["done"] or skipped["failed"] or skipped["duplicate"]:
        print(f"resuming: {skipped['done']} already done, {skipped['failed']} failed before (skipped; "
              f"--retry-failed reruns them), {skipped['duplicate']} duplicates; {len(todo)} to run "
              "(--force reruns all)", file=sys.stderr)
    todo, rows = run_planned(runner, make_plan, todo, retry_failed=args.retry_failed, force=args.force)
    if rows:
        _print_summary(rows, make_plan(), runner.results_dir)
    if args.suite and not args.no_leaderboard:
        path = write_leaderboard(runner.results_dir, args.leaderboard_dir, html=args.html)
        print(f"Leaderboard: {path.resolve()}")
    return 0 if not todo or any(r["status"] == "ok" for r in rows) else 1


def cmd_submit(args) -> int:
    """Validate a submitted method (import, grid, track, budget, dry run), then run it like a baseline."""
    from suite.budget import count_params
    from suite.leaderboard import write_leaderboard
    from suite.registry import METHODS, SUITES, TASKS
    from suite.runner import _model_shape, _sized, pending, plan, run_planned, skip_message
    from suite.submission import SubmissionError, check_declaration, dry_run, inspect_isolated, resolve

    if not args.track and not args.tasks:
        raise ConfigError("submit needs --track NAME (e.g. --track node) or --tasks a,b")
    runner = _runner(args)
    limit = runner.memory_limit_bytes
    print(f"checking {args.file}: import (in a separate process, {args.dry_run_timeout:g} s, "
          f"{(limit or 0) / 2**30:.1f} GiB)", file=sys.stderr)
    inspect_isolated(args.file, args.dry_run_timeout, limit)
    names = resolve(args.file)
    if args.method:
        wanted = [METHODS.get(n).name for n in _split_names(args.method)]
        stray = [n for n in wanted if n not in names]
        if stray:
            raise SubmissionError(f"{args.file} does not register {', '.join(stray)}; it registers {', '.join(names)}")
        names = wanted
    specs = [METHODS.get(n) for n in names]

    if args.tasks:
        tasks = _expand(_split_names(args.tasks), TASKS, None)
        tracks = list(dict.fromkeys(TASKS.get(t).track for t in tasks))
    else:
        from suite.tracks import TRACKS

        if args.track not in TRACKS:
            raise ConfigError(f"unknown track {args.track!r}; tracks are {', '.join(sorted(TRACKS))}")
        tracks, tasks = [args.track], _expand(["*"], TASKS, (args.track,))
    problems = [p for spec in specs for p in check_declaration(spec, tracks)]
    if problems:
        for problem in problems[1:]:
            print(f"error: {problem}", file=sys.stderr)
        raise SubmissionError(problems[0])

    for spec in specs:
        for track in tracks:
            print(f"dry run: {spec.name} on probe-{track} (2 epochs)", file=sys.stderr)
            reason = dry_run(spec.name, track, args.dry_run_timeout, limit)
            if reason:
                raise SubmissionError(f"{spec.name} failed its dry run on the {track} track's probe task: {reason}")

    cli_protocol = {k: v for k, v in (("trials", args.trials), ("sampler", args.sampler),
                                      ("search_seed", args.search_seed), ("param_budget", args.param_budget))
                    if v is not None}
    if args.suite:
        suite_spec = SUITES.get(args.suite)
        sweeps = [sw for sw in suite_sweeps(suite_spec, tasks, names, args.seeds, cli_protocol)]
    else:
        sweeps = [(tasks, names, args.seeds, {}, cli_protocol)]
    available, missing = runner.available(list(dict.fromkeys(t for sw in sweeps for t in sw[0])))
    if missing:
        print(skip_message(missing), file=sys.stderr)
    if not available:
        raise DatasetMissingError(next(iter(missing.values())))

    # Parameter budgets, on the real tasks' shapes (the dry run has shown the constructor is safe to call here).
    for sweep_tasks, _, _, _, protocol in sweeps:
        for task in (TASKS.get(t) for t in sweep_tasks if t in available):
            budget = protocol.get("param_budget", task.protocol.param_budget)
            if not budget:
                continue
            for spec in specs:
                config = spec.resolve({})
                if spec.size_key:
                    _sized(task, spec, config, budget)  # raises if even width 1 is over the budget
                    continue
                in_channels, out_channels, context = _model_shape(task, spec.input_layout)
                if (n := count_params(spec, config, in_channels, out_channels, **context)) > budget:
                    raise SubmissionError(f"{spec.name} has {n:,} trainable parameters on {task.name}, over its "
                                          f"parameter budget {budget:,}; shrink the model or declare size_key= "
                                          "(the width hyperparameter) so the runner can size it")
    if args.check_only:
        print(f"{', '.join(names)}: every check passed (--check-only: nothing run)", file=sys.stderr)
        return 0

    def make_plan():
        runs = []
        for sweep_tasks, sweep_methods, seeds, method_overrides, protocol in sweeps:
            runs += plan([t for t in sweep_tasks if t in available], sweep_methods, seeds, suite=args.suite or "submit",
                         method_overrides=method_overrides, protocol=protocol, results_dir=runner.results_dir)
        return runs

    runs = make_plan()
    todo, skipped = pending(runs, runner.results_dir, retry_failed=args.retry_failed, force=args.force)
    print(f"{len(runs)} runs of {', '.join(names)} on {len(available)} tasks ({skipped['done']} already done) -> "
          f"{runner.results_dir}/", file=sys.stderr)
    todo, rows = run_planned(runner, make_plan, todo, retry_failed=args.retry_failed, force=args.force)
    if rows:
        _print_summary(rows, make_plan(), runner.results_dir)
    if not args.no_leaderboard:
        path = write_leaderboard(runner.results_dir, args.leaderboard_dir)
        print(f"Leaderboard: {path.resolve()}")
    return 0 if not todo or any(r["status"] == "ok" for r in rows) else 1


def _runner(args):
    from suite.measure import default_threads
    from suite.runner import Runner

    workers = args.workers or (1 if args.executor == "local" else max(1, (os.cpu_count() or 1) // (args.threads or 1)))
    threads = args.threads or (default_threads() if workers == 1 or os.environ.get("NETARENA_NUM_THREADS")
                               else max(1, (os.cpu_count() or 1) // workers))
    memory = getattr(args, "memory_limit", None)
    limits = {} if memory is None else {"memory_limit_bytes": int(memory * 2**30) or None}
    return Runner(_results_dir(args), timeout_s=args.timeout, progress=not args.no_progress, num_threads=threads,
                  executor=args.executor, workers=workers, ray_address=args.ray_address, **limits)


def _print_summary(rows: list[dict], runs: list, results_dir: Path) -> None:
    """Per (task, protocol, method) of the sweep: the leaderboard's number over every planned run's row
    (executed now or reused), so a tuned or nested-CV sweep prints its validation-selected result, never a mean
    over every configuration it tried; beside it the runs this command executed, ok and failed."""
    import warnings

    import pandas as pd
    from tabulate import tabulate

    from suite.leaderboard import aggregate, normal_protocol, protocol_label
    from suite.metrics import get_metric
    from suite.results import read_results

    keys = {r.key for r in runs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # damaged parts are named by `netarena results --check`
        parts = [read_results(Path(results_dir) / task / method)
                 for task, method in sorted({(r.task, r.method) for r in runs})]
    recorded = pd.concat([p for p in parts if len(p)] or [pd.DataFrame()], ignore_index=True)
    recorded = recorded[recorded["run_key"].isin(keys)] if len(recorded) else recorded
    executed = pd.DataFrame(rows)
    executed["label"] = executed["protocol"].fillna("{}").map(lambda p: protocol_label(normal_protocol(p)))
    out = []
    for (task, label), board in sorted(aggregate(recorded).boards.items()):
        if board.table.empty:  # only failed rows: listed below
            continue
        scale = 100.0 if get_metric(board.metric).percent else 1.0
        spec = ".2f" if scale == 100.0 else ".3g"  # errors such as RMSE can be 1e-3 or below
        for _, row in board.table.sort_values("method").iterrows():
            mine = executed[(executed["task"] == task) & (executed["method"] == row["method"])
                            & (executed["label"] == label)]
            ok = int((mine["status"] == "ok").sum())
            errors = "; ".join(sorted(set(mine.loc[mine["status"] != "ok", "error"].dropna().astype(str))))[:100]
            out.append([task, row["method"], label, board.metric,
                        f"{row['test_mean'] * scale:{spec}} ± {row['test_std'] * scale:{spec}}", int(row["seeds"]),
                        ok, len(mine) - ok, errors])
    measured = {(r[0], r[1], r[2]) for r in out}
    for (task, method, label), mine in executed.groupby(["task", "method", "label"], sort=True):  # nothing ok
        if (task, method, label) not in measured:
            errors = "; ".join(sorted(set(mine["error"].dropna().astype(str))))[:100]
            out.append([task, method, "-", mine["metric_name"].iloc[0], "-", 0, int((mine["status"] == "ok").sum()),
                        int((mine["status"] != "ok").sum()), errors])
    print(tabulate(out, headers=["task", "method", "protocol", "metric", "test mean ± std (selected on val)",
                                 "seeds/folds", "ok now", "failed now", "errors"],
                   tablefmt="simple", disable_numparse=True))


def cmd_leaderboard(args) -> int:
    from suite.leaderboard import write_leaderboard

    if args.param_budget is not None:  # one budget's tables only, printed (leaderboard/ is left as it is)
        from suite.leaderboard import aggregate, render_markdown
        from suite.results import ReadReport, read_results

        report = ReadReport()
        agg = aggregate(read_results(_results_dir(args), report), report.parts)
        agg.boards = {k: b for k, b in agg.boards.items()
                      if json.loads(b.protocol_json or "{}").get("param_budget") == args.param_budget}
        if not agg.boards:
            raise ConfigError(f"no rows ran under param_budget {args.param_budget:,}; run a sweep with "
                              f"--param-budget {args.param_budget}")
        print(render_markdown(agg))
        return 0
    path = write_leaderboard(_results_dir(args), args.out, html=args.html)
    print(f"Leaderboard: {path.resolve()}")
    if args.html:
        print(f"Site: {(path.parent / 'site' / 'index.html').resolve()}")
    return 0


def cmd_wl_bound(args) -> int:
    """Print (and write) the 1-WL upper bound on accuracy of each graph classification task's dataset."""
    from tabulate import tabulate

    from suite.registry import TASKS
    from suite.wl import wl_bound_table

    names = _split_names(args.task) or [t.name for t in TASKS if t.dataset.startswith("TUDataset/")]
    datasets = {}
    for name in names:
        spec = TASKS.get(name)
        if spec.track != "graph" or spec.metric != "accuracy":
            raise ConfigError(f"wl-bound needs a graph classification task; {name} is a {spec.track} task "
                              f"scored by {spec.metric}")
        try:
            datasets[name] = spec.load()
        except DatasetMissingError as exc:
            print(f"skipped {name}: {exc}", file=sys.stderr)
    table = wl_bound_table(datasets)
    text = tabulate(table, headers="keys", tablefmt="github", showindex=False, floatfmt=".2f")
    print(text)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(WL_BOUND_HEADER + text + "\n")
        print(f"written: {out}")
    return 0


WL_BOUND_HEADER = (
    "# 1-WL upper bounds on accuracy\n\n"
    "Written by `netarena wl-bound --out leaderboard/wl-upper-bounds.md` from the datasets alone (no results).\n"
    "Graphs are grouped by their 1-WL colour histogram, refined from the task's node features until the grouping "
    "stops changing. `unique %`: share of graphs whose histogram no graph of another label shares (Zopf 2022, "
    "\"1-WL Expressiveness Is (Almost) All You Need\"). `max accuracy %`: accuracy of predicting each group's "
    "majority label, the most any model bounded by 1-WL (every message-passing GNN) can reach on the whole "
    "dataset.\n\n")


def cmd_results(args) -> int:
    import pandas as pd

    from suite.results import check_parts, read_results

    root = _results_dir(args)
    good, bad = check_parts(root)
    if args.check:
        for path, reason in bad:
            print(f"BAD  {path}: {reason}")
        print(f"{good} readable parts, {len(bad)} bad under {root}/" + (" (bad parts are skipped when reading; "
              "move or delete them, then rerun the sweep: their runs are redone)" if bad else ""))
        return 1 if bad else 0
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = read_results(root)
    counts = df.groupby(["track", "status"]).size().unstack(fill_value=0) if len(df) else pd.DataFrame()
    print(f"{len(df)} rows in {good} parts under {root}/ ({len(bad)} bad parts: netarena results --check)")
    if len(counts):
        print(counts.to_string())
    return 0


def add_runner_options(p: argparse.ArgumentParser) -> None:
    """Where rows go and how runs execute: shared by run, submit and reproduce."""
    p.add_argument("--results", help="results folder (default: results/ or NETARENA_RESULTS)")
    p.add_argument("--timeout", type=float, default=float(os.environ.get("NETARENA_RUN_TIMEOUT", 3600)),
                   help="wall-time limit per run in seconds (default 3600 or NETARENA_RUN_TIMEOUT); a run over it "
                        "is recorded as a timeout row")
    p.add_argument("--memory-limit", type=float, metavar="GB",
                   help="memory a run may allocate beyond its loaded data, in GiB (default NETARENA_RUN_MEMORY_GB, "
                        "else 3/4 of this machine's; 0: none); a run over it is recorded as a failed row")
    p.add_argument("--threads", type=int, help="torch threads per run (default: torch's)")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.add_argument("--executor", choices=["local", "ray"], default="local",
                   help="local: a pool of worker processes on this machine (default); ray: Ray tasks")
    p.add_argument("--workers", type=int, help="runs at a time (local default 1; ray default: CPUs / threads)")
    p.add_argument("--ray-address", help="join a Ray cluster: 'auto' or HOST:PORT (default: start a local Ray)")


def add_protocol_options(p: argparse.ArgumentParser) -> None:
    """Seeds, tuning budget, parameter budget and resume behaviour of a sweep."""
    p.add_argument("--seeds", type=int, help="seeds 0..N-1 (default: the task protocol's or the suite's)")
    p.add_argument("--trials", type=int,
                   help="tuning budget: configurations per method from its grid, the same for every method "
                        "(default: the task's or suite's, usually 1 = paper defaults)")
    p.add_argument("--param-budget", type=int, metavar="N",
                   help="size every method with a size_key to the largest width within N trainable parameters "
                        "(e.g. 100000 or 500000, as benchmarking-gnns); rows are ranked per budget")
    p.add_argument("--sampler", choices=["random"], help="how a grid larger than the budget is sampled")
    p.add_argument("--search-seed", type=int, help="seed of the sampler (default 0)")
    again = p.add_mutually_exclusive_group()
    again.add_argument("--retry-failed", action="store_true", help="rerun runs whose key has only failed rows")
    again.add_argument("--force", action="store_true", help="rerun every run, even those already done")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="netarena", description="NetArena benchmark suite and leaderboard")
    sub = p.add_subparsers(dest="command", required=True)

    ls = sub.add_parser("list", help="list registered tasks, methods or suites")
    ls.add_argument("what", choices=["tasks", "methods", "suites"])
    ls.set_defaults(func=cmd_list)

    run = sub.add_parser("run", help="train and evaluate; append rows to results/")
    run.add_argument("--task", help="comma-separated task names, or 'all'")
    run.add_argument("--method", help="comma-separated method names, or 'all'")
    run.add_argument("--suite", help="a named sweep (netarena list suites), e.g. quick")
    run.add_argument("--config", action="append", metavar="KEY=VALUE", help="override a hyperparameter (repeatable)")
    add_runner_options(run)
    run.add_argument("--leaderboard-dir", default="leaderboard", help="where --suite renders the leaderboard")
    run.add_argument("--no-leaderboard", action="store_true", help="do not re-render the leaderboard after a suite")
    run.add_argument("--html", action="store_true", help="with --suite: also re-render the static site (leaderboard/site/)")
    add_protocol_options(run)
    run.set_defaults(func=cmd_run)

    sm = sub.add_parser("submit", help="validate a method (file, package.module:Name) and run it on a track's tasks")
    sm.add_argument("file", metavar="FILE", help="a Python file that registers a method (or package.module:Name)")
    where = sm.add_mutually_exclusive_group()
    where.add_argument("--track", help="run on every task of this track whose data is here (large tasks by name)")
    where.add_argument("--tasks", help="comma-separated task names")
    sm.add_argument("--method", help="only these of the file's methods (comma-separated names)")
    sm.add_argument("--suite", help="run under a named suite's protocol (e.g. quick, to rank beside its rows)")
    sm.add_argument("--dry-run-timeout", type=float, default=120.0,
                    help="wall-time limit of the import check and of each dry run, in seconds (default 120)")
    sm.add_argument("--check-only", action="store_true", help="validate and dry-run; run no task")
    sm.add_argument("--leaderboard-dir", default="leaderboard", help="where the leaderboard is re-rendered")
    sm.add_argument("--no-leaderboard", action="store_true", help="do not re-render the leaderboard")
    add_runner_options(sm)
    add_protocol_options(sm)
    sm.set_defaults(func=cmd_submit)

    lb = sub.add_parser("leaderboard", help="re-render leaderboard/README.md from results/ alone")
    lb.add_argument("--results", help="results folder (default: results/)")
    lb.add_argument("--out", default="leaderboard", help="output folder (default: leaderboard/)")
    lb.set_defaults(func=cmd_leaderboard)

    lb.add_argument("--param-budget", type=int, metavar="N",
                    help="print only the tables of rows run under this parameter budget")
    lb.add_argument("--html", action="store_true",
                    help="also write the static site OUT/site/ (task and method pages, plots; works from file://)")

    wl = sub.add_parser("wl-bound", help="1-WL upper bound on accuracy of graph classification datasets")
    wl.add_argument("--task", help="comma-separated graph classification tasks (default: every TU task)")
    wl.add_argument("--out", help="also write the table as Markdown here (e.g. leaderboard/wl-upper-bounds.md)")
    wl.set_defaults(func=cmd_wl_bound)

    res = sub.add_parser("results", help="inspect the results store")
    res.add_argument("--results", help="results folder (default: results/)")
    res.add_argument("--check", action="store_true", help="list unreadable or foreign parts; exit 1 if any")
    res.set_defaults(func=cmd_results)

    from suite.compare import add_subcommand as add_compare
    from suite.reproduce import add_subcommand as add_reproduce

    add_reproduce(sub)
    add_compare(sub)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except NetArenaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted: rows of finished runs are kept under results/", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())

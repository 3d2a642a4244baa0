"""The leaderboard as a static web site, rendered from ``results/`` alone.

:func:`write_site` renders the same aggregation as the Markdown leaderboard
(:func:`suite.leaderboard.aggregate`, called once) into plain HTML files:

* ``index.html``: per track and protocol, the average-rank summary
  (:func:`~suite.leaderboard.track_summary`), a critical-difference diagram
  (Friedman test over tasks, :func:`suite.stats.rank_test`), links to every
  task, method and reproduced table;
* ``task/<slug>.html``: one page per task, one section per protocol it ran
  under: the board's table (every column sortable by a click), the
  significance mark and the two Pareto plots (test metric against latency
  and against parameters, :func:`suite.stats.plot_pareto`);
* ``method/<slug>.html``: per task, the chosen configuration's per-seed rows,
  its hyperparameters, the tuning disclosure, submission metadata, failed
  runs with their errors, and provenance (commit, versions, CPU, device);
* ``reproductions/<name>.html``: each ``leaderboard/reproductions/*.md``.

The site is self-contained: no CDN, relative links only, one small inline
script (column sorting) whose hash is the only script the pages' Content
Security Policy allows, so it works from ``file://`` and any static host.
Every string from results or submissions goes through :func:`esc`; URLs are
links only when they start with ``http://`` or ``https://``. The same rows
give the same bytes: everything is sorted and the only times shown are the
rows' own ``started_at``.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from suite.leaderboard import (ALPHA, KEY, Aggregation, TaskBoard, _fmt, _fmt_measure, _fmt_sig, _metric_order,
                               _scale, _section_key, _spec, aggregate, normal_protocol, protocol_label,
                               track_summary)
from suite.results import ReadReport, read_results
from suite.stats import plot_cd, plot_pareto, rank_test

URL = re.compile(r"^https?://")
SIG_TEST = (f"two-sided paired t-test on the test metric over the seeds (outer folds under nested CV) shared with "
            f"the best, alpha {ALPHA:g}")

CSS = """\
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2330;background:#fff;
line-height:1.45}
header{background:#1d2b4f;color:#fff;padding:.6rem 1.2rem}
header a{color:#fff;text-decoration:none;margin-right:1.2rem;font-weight:600}
main{padding:1rem 1.2rem 2rem;max-width:100rem}
h1{font-size:1.6rem;margin:.4rem 0 .8rem}h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #d8dce6}
h3{font-size:1.05rem;margin-top:1.4rem}
a{color:#1f5fbf}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.88em}
pre{background:#f4f6fa;padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-word}
.note{color:#566074;font-size:.92rem;max-width:70rem}
.wrap{overflow-x:auto;margin:.5rem 0 1rem}
table{border-collapse:collapse;font-size:.88rem}
th,td{padding:.28rem .55rem;border-bottom:1px solid #e3e6ee;text-align:left;vertical-align:top;white-space:nowrap}
td.wide{white-space:normal;min-width:14rem;max-width:40rem}table.prose td{white-space:normal}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
thead th{background:#eef1f7;position:sticky;top:0;white-space:nowrap}
table.sortable thead th{cursor:pointer;user-select:none}
table.sortable thead th:hover{background:#dde3f0}
table.sortable thead th::after{content:" \\2195";color:#9aa3b5}
table.sortable thead th[aria-sort=ascending]::after{content:" \\25B2";color:#1d2b4f}
table.sortable thead th[aria-sort=descending]::after{content:" \\25BC";color:#1d2b4f}
tbody tr:nth-child(even){background:#fafbfd}
.sig-best{font-weight:700;color:#0b6b2f}.sig-tie{font-weight:700;color:#3b6fb0}
.badge{display:inline-block;font-size:.72rem;padding:0 .35rem;border-radius:.6rem;background:#fde9c8;
color:#7a4a00;margin-left:.3rem;vertical-align:middle}
.plots{display:flex;flex-wrap:wrap;gap:1rem}
.plots figure{margin:0;width:32rem;max-width:100%}.plots img{width:100%;height:auto;border:1px solid #e3e6ee}
figure.cd{margin:.5rem 0 1rem}figure.cd img{width:100%;max-width:52rem;height:auto}
figcaption{font-size:.85rem;color:#566074}
ul.cols{columns:16rem;padding-left:1.2rem}
footer{color:#8a92a3;font-size:.8rem;padding:1rem 1.2rem;border-top:1px solid #e3e6ee}
"""

# Sorts a table.sortable by the clicked column: numbers (the cell's data-sort) numerically, text by locale,
# empty cells last either way; a second click reverses. Ties keep their current order (a stable sort).
JS = """\
(function () {
  "use strict";
  function key(cell) {
    var v = cell.getAttribute("data-sort");
    return v === null ? cell.textContent.trim() : v;
  }
  function sortBy(table, th, col) {
    var asc = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.map.call(body.rows, function (r, i) { return [key(r.cells[col]), i, r]; });
    rows.sort(function (a, b) {
      var ea = a[0] === "", eb = b[0] === "";
      if (ea || eb) { return ea === eb ? a[1] - b[1] : (ea ? 1 : -1); }
      var na = Number(a[0]), nb = Number(b[0]);
      var c = (isNaN(na) || isNaN(nb)) ? a[0].localeCompare(b[0]) : na - nb;
      return c === 0 ? a[1] - b[1] : (asc ? c : -c);
    });
    rows.forEach(function (r) { body.appendChild(r[2]); });
  }
  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
      th.tabIndex = 0;
      th.addEventListener("click", function () { sortBy(table, th, col); });
      th.addEventListener("keydown", function (e) {
        if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(table, th, col); }
      });
    });
  });
})();
"""


def _csp_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


# Only our own inline style and script run, even if an unescaped string slipped into a page.
CSP = (f"default-src 'none'; img-src 'self'; style-src {_csp_hash(CSS)}; script-src {_csp_hash(JS)}; "
       "base-uri 'none'; form-action 'none'")


def esc(value) -> str:
    """Any value as HTML text (quotes too, so the result is safe inside attributes)."""
    return html.escape("" if value is None else str(value), quote=True)


def link(url, text=None) -> str:
    """``<a>`` to ``url`` when it is an http(s) URL; otherwise ``text`` (or the URL itself) as escaped text."""
    label = esc(url if text is None else text)
    if isinstance(url, str) and URL.match(url):
        return f'<a href="{esc(url)}" rel="noopener noreferrer nofollow">{label}</a>'
    return label


def slug(name: str) -> str:
    """A safe, unique file name for any string: its safe characters (at most 60) and 8 hex of its SHA-256."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", str(name))[:60].lstrip(".") or "_"
    return f"{safe}-{hashlib.sha256(str(name).encode()).hexdigest()[:8]}"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and np.isnan(x)) or x is pd.NA or x is pd.NaT


def _sortkey(x) -> str:
    """The data-sort value of a cell: a number as its repr, missing as empty."""
    if _missing(x):
        return ""
    if isinstance(x, (bool, np.bool_)):
        return str(int(x))
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    if isinstance(x, (float, np.floating)):
        return repr(float(x))
    return str(x)


@dataclass
class Col:
    """A table column: header, tooltip, and per row the cell's HTML and its sort value."""

    head: str
    cell: object  # row -> (html, sort value)
    num: bool = False
    title: str = ""
    wide: bool = False  # long text (tuning, errors): wraps; other cells do not


def table(cols: list[Col], rows, sortable: bool = True, cls: str = "") -> str:
    """An HTML table; every header sorts its column when ``sortable`` (the page's script)."""
    classes = " ".join(c for c in ("sortable" if sortable else "", cls) if c)
    head = "".join(f"<th{_cls(c)}{f' title={_q(c.title)}' if c.title else ''}>{esc(c.head)}</th>" for c in cols)
    body = []
    for row in rows:
        cells = []
        for c in cols:
            text, key = c.cell(row)
            cells.append(f'<td{_cls(c)} data-sort="{esc(_sortkey(key))}">{text}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<div class="wrap"><table class="{classes}"><thead><tr>{head}</tr></thead>'
            f"<tbody>\n" + "\n".join(body) + "\n</tbody></table></div>")


def _cls(c: Col) -> str:
    return " class=num" if c.num else " class=wide" if c.wide else ""


def _q(text: str) -> str:
    return f'"{esc(text)}"'


def page(title: str, body: str, root: str) -> str:
    """A whole page; ``root`` is the relative path to the site's top folder ("" or "../")."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<title>{esc(title)} - NetArena</title>
<style>{CSS}</style>
</head>
<body>
<header><a href="{root}index.html">NetArena leaderboard</a><a href="{root}index.html#methods">methods</a>\
<a href="{root}reproductions/index.html">reproductions</a></header>
<main>
{body}
</main>
<footer>Rendered by <code>netarena leaderboard --html</code> from <code>results/</code> alone. \
Do not edit by hand.</footer>
<script>{JS}</script>
</body>
</html>
"""


# ---------------------------------------------------------------- the rows behind each board (method pages)


def board_rows(df: pd.DataFrame) -> tuple[dict, dict]:
    """The result rows the method pages show, keyed like the boards.

    Returns ({(task, protocol label, method): ok rows}, {(task, protocol label, method): failed rows}), under
    the aggregation's rules: newest task version, a rerun of a (task, method, config, seed) counts once (the
    latest), a failure later redone successfully (same run key) is not shown.
    """
    if df.empty:
        return {}, {}
    norm = {p: normal_protocol(p) for p in df["protocol"].unique()}
    df = df.assign(protocol=df["protocol"].map(norm))
    df = df.assign(protocol_label=df["protocol"].map({p: protocol_label(p) for p in set(norm.values())}))
    df = df[df["task_version"] == df.groupby("task")["task_version"].transform("max")]
    ok = df[df["status"] == "ok"].sort_values("started_at", kind="stable").drop_duplicates(KEY, keep="last")
    redone = df["run_key"].notna() & df["run_key"].isin(set(ok["run_key"].dropna()))
    bad = df[(df["status"] != "ok") & ~redone].sort_values(["started_at", "run_id"], kind="stable")
    by = ["task", "protocol_label", "method"]
    return ({k: g for k, g in ok.groupby(by, sort=True)}, {k: g for k, g in bad.groupby(by, sort=True)})


def chosen_rows(board: TaskBoard, rows: dict) -> dict[str, pd.DataFrame]:
    """Per method of ``board``: the rows behind its table row, as the aggregation picked them
    (:attr:`TaskBoard.run_ids`: the chosen configuration's seeds, or under nested CV each fold winner's
    retrains). Their test metrics are the board's ``per_seed`` values (per fold: the mean of the fold's
    retrains); these rows add what a run recorded besides: epochs, cost, commit, versions."""
    methods = list(board.table["method"]) if not board.table.empty else []
    mine = {m: rows[board.task, board.protocol, m] for m in methods if (board.task, board.protocol, m) in rows}
    return {m: r[r["run_id"].map(board.run_ids).eq(m)] for m, r in mine.items()}


# ---------------------------------------------------------------- plots


def _plot_name(*parts: str) -> str:
    return slug("|".join(parts)) + ".svg"


def pareto_plots(board: TaskBoard, out: Path) -> list[tuple[str, str]]:
    """Test metric against latency and against parameters, Pareto front marked; [(file under plots/, caption)]."""
    if board.table.empty:
        return []
    t = board.table
    scale = _scale(board.metric)
    unit = " (%)" if scale == 100.0 else ""
    made = []
    for col, label in (("latency_ms", "inference latency, median (ms)"), ("params", "parameters")):
        pts = pd.DataFrame({"method": t["method"], "x": pd.to_numeric(t[col], errors="coerce").astype(float),
                            "y": t["test_mean"].astype(float) * scale})
        usable = pts.dropna()
        usable = usable[usable["x"] > 0]  # log axis: a parameter-free method has no place on it
        left = sorted(set(pts["method"]) - set(usable["method"]))
        if usable.empty:
            continue
        name = _plot_name("pareto", board.task, board.protocol, col)
        plot_pareto(usable.reset_index(drop=True), label, f"test {board.metric}{unit}", board.higher_is_better,
                    out / "plots" / name, log_x=True)
        caption = f"test {board.metric} against {label}; Pareto-optimal methods marked"
        if left:
            caption += f" (not shown, no positive {label}: {', '.join(left)})"
        made.append((name, caption))
    return made


def cd_scores(agg: Aggregation, track: str, plabel: str) -> tuple[pd.DataFrame, list[str]]:
    """Task x method test means of a track's section, oriented so higher is better, restricted to the method
    set that keeps the most (methods x complete tasks) -- a method run on one task alone would otherwise drop
    every other task from the Friedman test; returns (scores, methods left out)."""
    cols = {}
    for b in agg.boards.values():
        if (b.track, b.protocol) == (track, plabel) and not b.table.empty:
            sign = 1.0 if b.higher_is_better else -1.0
            cols[b.task] = pd.Series(b.table["test_mean"].to_numpy(float) * sign, index=b.table["method"])
    if not cols:
        return pd.DataFrame(), []
    scores = pd.DataFrame(cols).T.sort_index().sort_index(axis=1)
    methods = list(scores.columns)
    best = (0, 0, list(methods))  # no set with 2+ methods on 2+ complete tasks: all of them (the test says why)
    while len(methods) >= 2:
        complete = int(scores[methods].notna().all(axis=1).sum())
        if complete >= 2 and (len(methods) * complete, complete) > best[:2]:
            best = (len(methods) * complete, complete, list(methods))
        coverage = scores[methods].notna().sum()
        methods.remove(min(methods, key=lambda m: (coverage[m], m)))  # the least-covered goes first
    keep = best[2]
    sub = scores[keep]
    return sub[sub.notna().all(axis=1)], sorted(set(scores.columns) - set(keep))


def cd_section(agg: Aggregation, track: str, plabel: str, out: Path) -> str:
    """The section's critical-difference diagram and Friedman test, as HTML (a sentence when it cannot be run)."""
    scores, left = cd_scores(agg, track, plabel)
    if scores.shape[0] < 2 or scores.shape[1] < 2:
        return ('<p class="note">No critical-difference diagram: it needs two methods or more with results on '
                "two tasks or more of this section.</p>")
    test = rank_test(scores)
    name = _plot_name("cd", track, plabel)
    plot_cd(test, out / "plots" / name, f"{track}: {plabel}")
    p = test.friedman_p
    ptext = "-" if _missing(p) else f"{p:.3g}"
    note = (f"Friedman test over {test.n_tasks} tasks and {len(test.methods)} methods: "
            f"chi2 = {_fmt(test.friedman_stat, '.2f')}, p = {ptext}; Nemenyi critical difference "
            f"CD = {_fmt(test.cd, '.2f')} at alpha {test.alpha:g} (Demsar 2006). "
            + ("Bars join methods no pair of which differs significantly under "
               + ("pairwise Wilcoxon signed-rank tests with Holm's correction" if test.post_hoc == "wilcoxon-holm"
                  else "the Nemenyi test") if _missing(p) or p < test.alpha else
               "The Friedman test does not reject, so no post hoc test is run: one bar joins every method")
            + ". Values: test means, oriented so higher is better; average rank 1 = best.")
    if left:
        note += f" Left out (run on too few of this section's tasks): {', '.join(left)}."
    return (f'<figure class="cd"><img src="plots/{esc(name)}" alt="critical-difference diagram, {esc(track)}">'
            f'<figcaption>{esc(note)}</figcaption></figure>')


# ---------------------------------------------------------------- pages


def _sections(agg: Aggregation) -> list[tuple[str, str]]:
    return sorted({(b.track, b.protocol) for b in agg.boards.values()}, key=_section_key)


def _method_href(method: str, root: str) -> str:
    return f"{root}method/{slug(method)}.html"


def _task_href(task: str, plabel: str, root: str) -> str:
    return f"{root}task/{slug(task)}.html#{slug(plabel)}"


def _best(board: TaskBoard) -> str:
    if board.table.empty:
        return "no successful runs"
    r = board.table.iloc[0]
    return f"{r['method']} {_fmt(r['test_mean'], _spec(board.metric), _scale(board.metric))}"


def _leader(summary: pd.DataFrame) -> str:
    if summary.empty:
        return "-"
    top = summary.iloc[0]
    return f'<a href="{esc(_method_href(top["method"], ""))}">{esc(top["method"])}</a> ({top["avg_rank"]:.2f})'


def render_index(agg: Aggregation, out: Path, reproductions: list[tuple[str, str]], methods: list[str]) -> str:
    parts = ["<h1>NetArena leaderboard</h1>",
             f'<p class="note">{agg.rows_ok} ok rows, {agg.rows_failed} failed or timed-out rows, {agg.parts} '
             "result parts. Rules as in the Markdown leaderboard: newest task version only; one row per (task, "
             "method, config, seed), the latest; per task and method the configuration with the best mean "
             "<b>validation</b> metric; test metric as mean &plusmn; sample std over seeds; rows of different "
             "protocols are never ranked together. A track's average rank is over its tasks under one protocol "
             "(rank 1 = best on a task).</p>"]
    sections = _sections(agg)
    if sections:
        parts.append("<h2>Tracks</h2>" + table([
            Col("track", lambda s: (f'<a href="#{slug(f"{s[0]}|{s[1]}")}">{esc(s[0])}</a>', s[0])),
            Col("protocol", lambda s: (esc(s[1]), s[1]), wide=True),
            Col("tasks", lambda s: (str(s[2]), s[2]), num=True),
            Col("methods", lambda s: (str(len(s[3])), len(s[3])), num=True),
            Col("best average rank", lambda s: (_leader(s[3]), s[3]["avg_rank"].min() if len(s[3]) else None)),
        ], [(t, p, sum(1 for b in agg.boards.values() if (b.track, b.protocol) == (t, p)),
             track_summary(agg, t, p)) for t, p in sections]))
    else:
        parts.append("<p>No results yet: run <code>netarena run</code>.</p>")
    for track, plabel in sections:
        summary = track_summary(agg, track, plabel)
        parts.append(f'<h2 id="{slug(f"{track}|{plabel}")}">Track <code>{esc(track)}</code>, protocol '
                     f"{esc(plabel)}</h2>")
        parts.append(table([
            Col("#", lambda r: (str(r[0] + 1), r[0] + 1), num=True),
            Col("method", lambda r: (f'<a href="{esc(_method_href(r[1].method, ""))}">{esc(r[1].method)}</a>',
                                     r[1].method)),
            Col("avg rank", lambda r: (f"{r[1].avg_rank:.2f}", r[1].avg_rank), num=True),
            Col("tasks", lambda r: (str(r[1].tasks), r[1].tasks), num=True),
            Col("wins", lambda r: (str(r[1].wins), r[1].wins), num=True),
        ], list(enumerate(summary.itertuples()))))
        parts.append(cd_section(agg, track, plabel, out))
        boards = [b for b in agg.boards.values() if (b.track, b.protocol) == (track, plabel)]
        parts.append("<h3>Tasks</h3>" + table([
            Col("task", lambda b: (f'<a href="{esc(_task_href(b.task, b.protocol, ""))}">{esc(b.task)}</a>', b.task)),
            Col("metric", lambda b: (esc(b.metric) + (" &uarr;" if b.higher_is_better else " &darr;"), b.metric)),
            Col("methods", lambda b: (str(len(b.table)), len(b.table)), num=True),
            Col("best", lambda b: (esc(_best(b)), _best(b))),
        ], boards))
    parts.append('<h2 id="methods">Methods</h2><ul class="cols">' + "".join(
        f'<li><a href="{esc(_method_href(m, ""))}">{esc(m)}</a></li>' for m in methods) + "</ul>")
    if reproductions:
        parts.append('<h2 id="reproductions">Reproductions of published tables</h2><ul>' + "".join(
            f'<li><a href="reproductions/{esc(n)}.html">{esc(t)}</a></li>' for n, t in reproductions) + "</ul>")
    return page("Leaderboard", "\n".join(parts), "")


def _sig_cell(r) -> tuple[str, float | None]:
    """The Markdown's ``vs best`` text, marked up; sorts best first, then by p-value falling (closest first)."""
    mark, text = r.get("sig"), esc(_fmt_sig(r))
    if mark == "best":
        return f'<span class="sig-best">{text}</span>', -1.0
    p = r.get("sig_p")
    key = None if _missing(p) else 1.0 - float(p)
    return (f'<span class="sig-tie">{text}</span>' if mark == "≈" else text), key


def task_columns(board: TaskBoard) -> list[Col]:
    """The board's columns: those of the Markdown table, with the same formatting, plus sig and submission."""
    t, metric = board.table, board.metric
    scale, spec = _scale(metric), _spec(metric)
    others = sorted((c for c in t.columns if c.startswith("metric:")), key=_metric_order)
    measures = [c.split(":", 1)[1] for c in t.columns if c.startswith("measure:") and not c.endswith(":n")]

    def sub(r) -> bool:
        return isinstance(r.get("submission"), str)

    cols = [
        Col("#", lambda r: (str(r["rank"]), r["rank"]), num=True, title="rank by test mean"),
        Col("method", lambda r: (f'<a href="{esc(_method_href(r["method"], "../"))}">{esc(r["method"])}</a>'
                                 + ('<span class="badge">submission</span>' if sub(r) else ""), r["method"])),
        Col("kind", lambda r: (esc(r["kind"]), r["kind"])),
        Col(f"test {metric}", lambda r: (f"{_fmt(r['test_mean'], spec, scale)} ± {_fmt(r['test_std'], spec, scale)}",
                                         r["test_mean"]), num=True, title="mean ± sample std over seeds"),
        *([Col("vs best", _sig_cell, num=True, title=f"best; ≈: not significantly different from the best; "
               f"p=: significantly different; n/a: fewer than 2 shared seeds ({SIG_TEST})")] if "sig" in t.columns
          else []),
        *(Col(c.split(":", 1)[1], (lambda c: lambda r: (
            _fmt(r[c], _spec(c.split(":", 1)[1]), _scale(c.split(":", 1)[1])), r[c]))(c), num=True,
            title="test mean") for c in others),
        Col("val", lambda r: (_fmt(r["val_mean"], spec, scale), r["val_mean"]), num=True, title="validation mean"),
        Col("seeds", lambda r: (str(r["seeds"]), r["seeds"]), num=True),
        Col("failed", lambda r: (str(r["failed"]), r["failed"]), num=True),
        Col("epoch ms", lambda r: (_fmt(r["epoch_ms"], ".2f"), r["epoch_ms"]), num=True),
        Col("latency ms", lambda r: (_fmt(r["latency_ms"], ".2f"), r["latency_ms"]), num=True,
            title="median full inference pass"),
        Col("p90 ms", lambda r: (_fmt(r["latency_p90_ms"], ".2f"), r["latency_p90_ms"]), num=True),
        Col("peak MiB", lambda r: (_fmt(r["peak_mib"], ".1f"), r["peak_mib"]), num=True),
        Col("params", lambda r: (_fmt(r["params"], ",.0f"), r["params"]), num=True),
        *(Col(name, (lambda name: lambda r: (esc(_fmt_measure(r, name)), r.get(f"measure:{name}")))(name), num=True)
          for name in measures),
        Col("submission", lambda r: ("yes" if sub(r) else "", int(sub(r)))),
        Col("config", lambda r: (f"<code>{esc(r['config_hash'])}</code>", r["config_hash"])),
    ]
    if (t["tuning"] != "paper defaults").any():
        cols.append(Col("tuning (* = chosen on validation)", lambda r: (esc(r["tuning"]), r["tuning"]), wide=True))
    return cols


def board_section(board: TaskBoard, out: Path, only_failed: dict) -> str:
    direction = "higher is better" if board.higher_is_better else "lower is better"
    percent = " (in %)" if _scale(board.metric) == 100.0 else ""
    parts = [f'<h2 id="{slug(board.protocol)}">Protocol {esc(board.protocol)}</h2>',
             f'<p class="note">Track <a href="../index.html#{slug(f"{board.track}|{board.protocol}")}">'
             f"{esc(board.track)}</a>; task version {board.version}; metric {esc(board.metric)}{percent}, "
             f"{direction}; split sha256 <code>{esc(board.split_sha256[:16])}</code>.</p>"]
    failed_here = sorted((m, len(v)) for (t, p, m), v in only_failed.items() if (t, p) == (board.task, board.protocol))
    if failed_here:
        parts.append('<p class="note">Every run failed, so not ranked: ' + ", ".join(
            f'<a href="{esc(_method_href(m, "../"))}">{esc(m)}</a> ({n} failed)' for m, n in failed_here) + ".</p>")
    if board.table.empty:
        return "\n".join(parts + ["<p>No successful runs.</p>"])
    rows = [r for _, r in board.table.iterrows()]
    parts.append(table(task_columns(board), rows, cls="board"))
    if "sig" in board.table.columns:
        parts.append(f'<p class="note">vs best: <span class="sig-best">best</span> the top method; '
                     f'<span class="sig-tie">≈</span> not significantly different from the best, <code>p=</code> '
                     f"significantly different, n/a fewer than 2 shared seeds ({SIG_TEST}). Mean ± std alone does "
                     "not say which differences are real. Click any header to sort.</p>")
    plots = pareto_plots(board, out)
    if plots:
        parts.append('<div class="plots">' + "".join(
            f'<figure><img src="../plots/{esc(n)}" alt="{esc(c)}"><figcaption>{esc(c)}</figcaption></figure>'
            for n, c in plots) + "</div>")
    return "\n".join(parts)


def render_task(task: str, boards: list[TaskBoard], out: Path, only_failed: dict) -> str:
    body = [f"<h1>Task <code>{esc(task)}</code></h1>"]
    if len(boards) > 1:
        body.append('<p class="note">Ran under several protocols, ranked separately:</p><ul>' + "".join(
            f'<li><a href="#{slug(b.protocol)}">{esc(b.protocol)}</a></li>' for b in boards) + "</ul>")
    body += [board_section(b, out, only_failed) for b in boards]
    return page(f"Task {task}", "\n".join(body), "../")


PROVENANCE = ["git_commit", "git_dirty", "netarena_version", "torch_version", "pyg_version", "python_version",
              "cpu_model", "num_threads", "device"]


def _when(x) -> str:
    return "-" if _missing(x) else pd.Timestamp(x).strftime("%Y-%m-%d %H:%M:%S UTC")


def seed_table(board: TaskBoard, rows: pd.DataFrame) -> str:
    """One row per run behind the method's table row: seed, split, metrics, cost, when and on which commit."""
    scale, spec = _scale(board.metric), _spec(board.metric)
    rows = rows.sort_values(["split_id", "seed", "started_at"], kind="stable")
    return table([
        Col("seed", lambda r: (str(r["seed"]), r["seed"]), num=True),
        Col("split", lambda r: (str(r["split_id"]), r["split_id"]), num=True),
        Col("config", lambda r: (f"<code>{esc(r['config_hash'])}</code>", r["config_hash"])),
        Col(f"test {board.metric}", lambda r: (_fmt(r["test_metric"], spec, scale), r["test_metric"]), num=True),
        Col("val", lambda r: (_fmt(r["val_metric"], spec, scale), r["val_metric"]), num=True),
        Col("best epoch", lambda r: (_fmt(r["best_epoch"], ".0f"), r["best_epoch"]), num=True),
        Col("epochs", lambda r: (_fmt(r["epochs"], ".0f"), r["epochs"]), num=True),
        Col("train s", lambda r: (_fmt(r["train_seconds"], ".2f"), r["train_seconds"]), num=True),
        Col("latency ms", lambda r: (_fmt(r["latency_ms_median"], ".2f"), r["latency_ms_median"]), num=True),
        Col("peak MiB", lambda r: (_fmt(_mib(r["peak_memory_bytes"]), ".1f"), _mib(r["peak_memory_bytes"])),
            num=True),
        Col("params", lambda r: (_fmt(r["num_params"], ",.0f"), r["num_params"]), num=True),
        Col("started", lambda r: (esc(_when(r["started_at"])), _when(r["started_at"]))),
        Col("commit", lambda r: (f"<code>{esc(str(r['git_commit'] or '-')[:10])}</code>"
                                 + (" (dirty)" if r["git_dirty"] is True else ""), r["git_commit"])),
        Col("run", lambda r: (f"<code>{esc(r['run_id'])}</code>", r["run_id"])),
    ], [r for _, r in rows.iterrows()])


def _mib(x):
    return float("nan") if _missing(x) else float(x) / 2**20


def provenance(rows: pd.DataFrame) -> str:
    """Distinct values of each provenance column over the rows, with how many rows have each."""
    items = []
    for col in PROVENANCE:
        counts = rows[col].astype(object).where(rows[col].notna(), None).map(
            lambda v: "-" if v is None else str(v)).value_counts()
        values = sorted(counts.items())
        items.append(f"<li>{esc(col)}: " + "; ".join(
            f"<code>{esc(v)}</code>" + (f" ({n} runs)" if len(values) > 1 else "") for v, n in values) + "</li>")
    return "<ul>" + "".join(items) + "</ul>"


def failed_table(rows: pd.DataFrame) -> str:
    return table([
        Col("seed", lambda r: (str(r["seed"]), r["seed"]), num=True),
        Col("config", lambda r: (f"<code>{esc(r['config_hash'])}</code>", r["config_hash"])),
        Col("status", lambda r: (esc(r["status"]), r["status"])),
        Col("error", lambda r: (f"<code>{esc(r['error'])}</code>", r["error"]), wide=True),
        Col("started", lambda r: (esc(_when(r["started_at"])), _when(r["started_at"]))),
    ], [r for _, r in rows.iterrows()])


def submission_block(info: dict) -> str:
    """Who submitted the method and where its code is; URLs are links only when http(s)."""
    urls = [f"{name}: {link(info.get(key))}" for name, key in (("paper", "paper_url"), ("code", "code_url"))
            if info.get(key)]
    items = [f"authors: {esc(info.get('authors') or 'not given')}",
             *([f"paper: {esc(info['paper'])}"] if info.get("paper") else []), *urls,
             f"source: <code>{esc(info.get('source'))}</code>",
             f"code sha256: <code>{esc(info.get('code_sha256'))}</code>",
             *([f"distribution: <code>{esc(info['distribution'])}</code>"] if info.get("distribution") else [])]
    return ("<h2>Submission</h2><p class=\"note\">Submitted with <code>netarena submit</code> (code outside the "
            "suite), ranked under the same protocol and tuning budget as the baselines.</p><ul>"
            + "".join(f"<li>{i}</li>" for i in items) + "</ul>")


def _standing(board: TaskBoard, r: pd.Series) -> str:
    scale, spec = _scale(board.metric), _spec(board.metric)
    return f"{_fmt(r['test_mean'], spec, scale)} ± {_fmt(r['test_std'], spec, scale)}"


def _nested(board: TaskBoard) -> bool:
    return bool(json.loads(board.protocol_json or "{}").get("retrain"))


def method_summary(entries: list[tuple[TaskBoard, pd.Series, pd.DataFrame]]) -> str:
    """One row per board the method is on: where it ranks and its test metric, linking to the section below."""
    has_sig = any("sig" in b.table.columns for b, _, _ in entries)
    cols = [
        Col("task", lambda e: (f'<a href="#{slug(f"{e[0].task}|{e[0].protocol}")}">{esc(e[0].task)}</a>',
                               e[0].task)),
        Col("track", lambda e: (esc(e[0].track), e[0].track)),
        Col("protocol", lambda e: (esc(e[0].protocol), e[0].protocol), wide=True),
        Col("rank", lambda e: (f"{e[1]['rank']} of {len(e[0].table)}", e[1]["rank"]), num=True),
        *([Col("vs best", lambda e: _sig_cell(e[1]), num=True)] if has_sig else []),
        Col("metric", lambda e: (esc(e[0].metric), e[0].metric)),
        Col("test", lambda e: (_standing(e[0], e[1]), e[1]["test_mean"]), num=True),
        Col("seeds", lambda e: (str(e[1]["seeds"]), e[1]["seeds"]), num=True),
    ]
    return table(cols, entries)


def configurations(board: TaskBoard, r: pd.Series, runs: pd.DataFrame, configs: dict[str, str]) -> str:
    """The chosen hyperparameters as JSON; under nested CV every fold winner's, the most chosen first."""
    if _nested(board) and len(runs):
        counts = runs.groupby("config_hash")["split_id"].nunique()
        hashes = sorted(counts.index, key=lambda h: (-counts[h], h))
        head = "Hyperparameters of the folds' winners (each fold chooses on its own holdout)"
        label = {h: f"{counts[h]} fold{'s' if counts[h] > 1 else ''}" for h in hashes}
    else:
        hashes, head, label = [r["config_hash"]], "Hyperparameters (chosen on validation)", {}
    out = [f"<h3>{head}</h3>"]
    for h in hashes:
        config = configs.get(h)
        pretty = json.dumps(json.loads(config), indent=1, sort_keys=True) if isinstance(config, str) else "-"
        out.append(f"<p><code>{esc(h)}</code>{f' ({label[h]})' if h in label else ''}</p><pre>{esc(pretty)}</pre>")
    return "".join(out)


def render_method(method: str, entries: list[tuple[TaskBoard, pd.Series, pd.DataFrame]], failed: dict,
                  configs: dict[str, str], only_failed: dict | None = None) -> str:
    """The method's page. ``entries``: per board it is on, (board, its table row, the rows behind that row);
    the page shows its standing, configuration, per-seed rows, failures and provenance per board.
    ``only_failed``: {(task, protocol label, method): failed rows} of boards where every run of it failed."""
    body = [f"<h1>Method <code>{esc(method)}</code></h1>"]
    subs = [r["submission"] for _, r, _ in entries if isinstance(r.get("submission"), str)]
    if subs:
        try:
            body.append(submission_block(json.loads(subs[-1])))
        except (ValueError, AttributeError):
            body.append(f"<h2>Submission</h2><pre>{esc(subs[-1])}</pre>")
    if entries:
        body.append("<h2>Tasks</h2>" + method_summary(entries))
    for board, r, runs in entries:
        sig = {"best": " (best)", "≈": f" (≈ best: not significantly different, p={_fmt(r.get('sig_p'), '.2g')})",
               "": f" (significantly worse than the best, p={_fmt(r.get('sig_p'), '.2g')})"}.get(r.get("sig"), "")
        body.append(f'<h2 id="{slug(f"{board.task}|{board.protocol}")}">'
                    f'<a href="{esc(_task_href(board.task, board.protocol, "../"))}">{esc(board.task)}</a>, '
                    f"protocol {esc(board.protocol)}</h2>")
        body.append(f"<p>Rank {r['rank']} of {len(board.table)}{esc(sig)}: test {esc(board.metric)} "
                    f"{_standing(board, r)} over {r['seeds']} {'folds' if _nested(board) else 'seeds'}; "
                    f"{r['failed']} failed runs.</p>")
        body.append(configurations(board, r, runs, configs))
        body.append(f'<p class="note">Tuning: {esc(r["tuning"])}</p>')
        if isinstance(r.get("disclosure"), str):
            body.append(f'<p class="note">Submission hyperparameters (* = chosen on validation): '
                        f"{esc(r['disclosure'])}</p>")
        if len(runs):
            body.append("<h3>Runs behind this row</h3>" + seed_table(board, runs))
            body.append("<h3>Provenance</h3>" + provenance(runs))
        bad = failed.get((board.task, board.protocol, method))
        if bad is not None and len(bad):
            body.append("<h3>Failed or timed-out runs</h3>" + failed_table(bad))
    for (task, plabel, _), bad in sorted((only_failed or {}).items()):
        body.append(f'<h2><a href="{esc(_task_href(task, plabel, "../"))}">{esc(task)}</a>, protocol '
                    f"{esc(plabel)}: every run failed</h2>" + failed_table(bad))
    return page(f"Method {method}", "\n".join(body), "../")


# ---------------------------------------------------------------- reproductions (Markdown tables -> HTML)

_MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_BARE_URL = re.compile(r"https?://[^\s<>()]+[^\s<>().,;:]")


def _inline(text: str) -> str:
    """Inline Markdown to HTML: ``[label](target)`` links (http(s) targets, or a sibling ``name.md`` page as
    ``name.html``; any other target leaves the label as text), then code spans, bare URLs, bold, italics."""
    out, pos = [], 0
    for m in _MD_LINK.finditer(text):
        out.append(_code_spans(text[pos:m.start()]))
        label, target = _code_spans(m.group(1), urls=False), m.group(2)
        if URL.match(target):
            out.append(f'<a href="{esc(target)}" rel="noopener noreferrer nofollow">{label}</a>')
        elif re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]*\.md", target):
            out.append(f'<a href="{esc(target[:-3])}.html">{label}</a>')
        else:
            out.append(label)
        pos = m.end()
    out.append(_code_spans(text[pos:]))
    return "".join(out)


def _code_spans(text: str, urls: bool = True) -> str:
    """`code` spans verbatim (escaped); the text between them with bare http(s) URLs linked and emphasis."""
    pieces = text.split("`")
    if len(pieces) % 2 == 0:  # an unmatched backtick: no code spans
        pieces = [text]
    return "".join(f"<code>{esc(p)}</code>" if i % 2 else _prose(p, urls) for i, p in enumerate(pieces))


def _prose(text: str, urls: bool) -> str:
    out, pos = [], 0
    for m in _BARE_URL.finditer(text) if urls else ():
        out += [_emphasis(esc(text[pos:m.start()])), link(m.group(0))]
        pos = m.end()
    out.append(_emphasis(esc(text[pos:])))
    return "".join(out)


def _emphasis(escaped: str) -> str:
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", escaped)
    return re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<i>\1</i>", escaped)


def _md_cell(text: str) -> tuple[str, str]:
    """A Markdown table cell: its HTML, and its visible text to sort by."""
    out = _inline(text)
    return out, html.unescape(re.sub(r"<[^>]+>", "", out))


def _md_cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def markdown_to_html(text: str) -> str:
    """The Markdown that ``netarena reproduce`` writes (headings, paragraphs, lists, GitHub tables) as HTML."""
    out, para, lines, i = [], [], text.splitlines(), 0

    def flush():
        if para:
            out.append("<p>" + _inline(" ".join(para)) + "</p>")
            para.clear()

    while i < len(lines):
        line = lines[i]
        if not line.strip():
            flush()
            i += 1
        elif m := re.match(r"(#{1,6})\s+(.*)", line):
            flush()
            level = len(m.group(1))
            out.append(f"<h{level}>{_inline(m.group(2))}</h{level}>")
            i += 1
        elif line.lstrip().startswith("|"):
            flush()
            block = []
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                block.append(lines[i])
                i += 1
            head = _md_cells(block[0])
            body = [_md_cells(b) for b in block[2:]] if len(block) > 1 and set(block[1]) <= set("|-: ") else \
                [_md_cells(b) for b in block[1:]]
            cols = [Col(h, (lambda j: lambda r: _md_cell(r[j] if j < len(r) else ""))(j)) for j, h in enumerate(head)]
            out.append(table(cols, body, cls="prose"))
        elif re.match(r"\s*[-*]\s+", line):
            flush()
            items = []
            while i < len(lines) and re.match(r"\s*[-*]\s+", lines[i]):
                items.append(re.sub(r"^\s*[-*]\s+", "", lines[i]))
                i += 1
            out.append("<ul>" + "".join(f"<li>{_inline(x)}</li>" for x in items) + "</ul>")
        else:
            para.append(line.strip())
            i += 1
    flush()
    return "\n".join(out)


def reproduction_pages(folder: Path) -> dict[str, tuple[str, str]]:
    """{name: (title, body HTML)} for each ``*.md`` in ``folder`` (``README.md`` becomes ``index``)."""
    pages = {}
    if not folder.is_dir():
        return pages
    for path in sorted(folder.glob("*.md")):
        text = path.read_text()
        first = next((ln for ln in text.splitlines() if ln.startswith("#")), path.stem)
        title = re.sub(r"[#`*]", "", first).strip()
        pages["index" if path.name == "README.md" else path.stem] = (title, markdown_to_html(text))
    return pages


# ---------------------------------------------------------------- the site


def build(df: pd.DataFrame, agg: Aggregation, out: Path, reproductions_dir: Path | None) -> None:
    """Render every page of the site into the (empty) folder ``out``."""
    (out / "plots").mkdir(parents=True)
    for sub in ("task", "method", "reproductions"):
        (out / sub).mkdir()
    repro = reproduction_pages(reproductions_dir) if reproductions_dir is not None else {}
    for name, (title, body) in repro.items():
        _write(out / "reproductions" / f"{name}.html", page(title, body, "../"))
    if "index" not in repro:
        listing = "".join(f'<li><a href="{esc(n)}.html">{esc(t)}</a></li>' for n, (t, _) in repro.items())
        _write(out / "reproductions" / "index.html",
               page("Reproductions", "<h1>Reproductions</h1>" + (f"<ul>{listing}</ul>" if listing else
                    "<p>None rendered yet: run <code>netarena reproduce</code>.</p>"), "../"))
    ok_rows, failed_rows = board_rows(df)
    entries: dict[str, list] = {}
    for board in agg.boards.values():
        if board.table.empty:
            continue
        runs = chosen_rows(board, ok_rows)
        for _, r in board.table.iterrows():
            entries.setdefault(r["method"], []).append((board, r, runs.get(r["method"], pd.DataFrame())))
    # Failures of a method on a board where it has no result (every run failed) appear on no table row.
    shown = {(b.task, b.protocol, r["method"]) for items in entries.values() for b, r, _ in items}
    only_failed = {k: v for k, v in failed_rows.items() if k not in shown}
    methods = sorted(set(entries) | {m for _, _, m in only_failed})

    listed = sorted((n, t) for n, (t, _) in repro.items() if n != "index")
    _write(out / "index.html", render_index(agg, out, listed, methods))
    by_task: dict[str, list[TaskBoard]] = {}
    for board in agg.boards.values():
        by_task.setdefault(board.task, []).append(board)
    for task, boards in sorted(by_task.items()):
        boards = sorted(boards, key=lambda b: _section_key((b.track, b.protocol)))
        _write(out / "task" / f"{slug(task)}.html", render_task(task, boards, out, only_failed))
    for method in methods:
        _write(out / "method" / f"{slug(method)}.html",
               render_method(method, entries.get(method, []), failed_rows, agg.configs,
                             {k: v for k, v in only_failed.items() if k[2] == method}))


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def write_site(results_dir: str | Path, out_dir: str | Path = "leaderboard/site",
               reproductions_dir: str | Path | None = "leaderboard/reproductions", rows: pd.DataFrame | None = None,
               agg: Aggregation | None = None) -> Path:
    """Render the site for the rows under ``results_dir`` into ``out_dir``; returns ``out_dir/index.html``.

    Built in a temporary folder beside ``out_dir`` and swapped into place, so a failed build leaves the
    previous site as it was. ``reproductions_dir``: where ``netarena reproduce`` wrote its Markdown (a missing
    folder gives an empty reproductions page; None skips it).
    """
    if rows is None or agg is None:  # given both, the Markdown leaderboard's rows and aggregation are reused
        report = ReadReport()
        rows = read_results(results_dir, report)
        agg = aggregate(rows, report.parts)
    df = rows
    out = Path(out_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.tmp{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        build(df, agg, tmp, Path(reproductions_dir) if reproductions_dir is not None else None)
        old = out.parent / f".{out.name}.old{os.getpid()}"
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return out / "index.html"

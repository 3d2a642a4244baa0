"""The static site (suite/site.py), without a browser: pages, links, numbers, escaping, determinism."""

import json
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import numpy as np
import pandas as pd
import pytest

from suite import site
from suite.leaderboard import _fmt_sig, aggregate, render_markdown
from suite.results import read_results, write_part
from tests.test_results import make_row

T0 = datetime(2026, 1, 1, tzinfo=timezone.utc)
PROTOCOL = json.dumps({"max_epochs": 100, "patience": 10})
EVIL = "<script>alert(1)</script>"
EVIL_SUBMISSION = {"name": EVIL, "authors": "<img src=x onerror=alert(2)>", "paper": "P\"aper'", "source": "file:e.py",
                   "paper_url": "javascript:alert(1)", "code_url": "https://example.org/code?a=1&b=2",
                   "code_sha256": "abc", "grid": {"lr": [0.01]}}


def runs(task, method, tests, *, latency=1.0, params=100, cfg="c1", status="ok", minutes=0, submission=None,
         error=None, track="node"):
    """One part's rows: a seed per test value, val = test - 0.01."""
    return [make_row(track=track, task=task, method=method, config_hash=cfg,
                     method_config=json.dumps({"hidden": 16, "cfg": cfg}), protocol=PROTOCOL, seed=s, split_id=s,
                     status=status, error=error, test_metric=None if status != "ok" else t,
                     val_metric=None if status != "ok" else t - 0.01, latency_ms_median=latency * (1 + s / 100),
                     latency_ms_p90=latency * 1.5, epoch_seconds_median=0.002, peak_memory_bytes=2**21,
                     num_params=params, submission=None if submission is None else json.dumps(submission),
                     started_at=T0 + timedelta(minutes=minutes, seconds=s), git_commit="f" * 40,
                     netarena_version="0.1.0", torch_version="2.13.0", cpu_model="Test CPU", device="cpu",
                     epochs=10, best_epoch=5, train_seconds=0.5)
            for s, t in enumerate(tests)]


def write_results(root: Path) -> Path:
    """Three tasks x three methods (rank order differs from latency and parameter order), one method on a
    single task, a failure with an HTML error message, a method whose every run failed, and a submission with a
    hostile name and URL."""
    parts = [
        runs("a", "x", [0.90, 0.91, 0.92], latency=9.0, params=5000),
        runs("a", "y", [0.80, 0.82, 0.81], latency=1.0, params=50),
        runs("a", "z", [0.70, 0.71, 0.69], latency=4.0, params=500),
        runs("b", "x", [0.60, 0.62, 0.61], latency=9.0, params=5000),
        runs("b", "y", [0.65, 0.66, 0.64], latency=1.0, params=50),
        runs("b", "z", [0.50, 0.52, 0.51], latency=4.0, params=500),
        runs("c", "x", [0.40, 0.41, 0.42], latency=9.0, params=5000),
        runs("c", "y", [0.30, 0.33, 0.31], latency=1.0, params=50),
        runs("c", "z", [0.20, 0.21, 0.22], latency=4.0, params=500),
        runs("a", "only-a", [0.10, 0.11], latency=2.0, params=10),
        runs("a", "x", [0.5], cfg="c2", minutes=1),  # another config, worse on validation: never shown
        runs("b", "z", [None], status="failed", minutes=2, error="<img src=x onerror=alert(3)> CUDA out of memory"),
        runs("a", EVIL, [0.85, 0.86, 0.84], latency=3.0, params=300, submission=EVIL_SUBMISSION),
        runs("c", "w", [None, None], status="failed", minutes=3, error="TrainingDiverged: loss is nan"),
    ]
    for rows in parts:
        write_part(rows, root)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    base = tmp_path_factory.mktemp("site")
    results = write_results(base / "results")
    repro = base / "repro"
    repro.mkdir()
    (repro / "README.md").write_text("# Reproductions\n\n| table | summary |\n|---|---|\n"
                                     "| [`t1`](t1.md) | 1 of 1 within |\n")
    (repro / "t1.md").write_text("# Reproduction `t1`: A & B 2020\n\nSource: https://arxiv.org/abs/1 and "
                                 "[bad](javascript:alert(4)).\n\n| task | measured | verdict |\n|---|---|---|\n"
                                 "| `a` | 80.50 ± 1.00 (3 seeds) | **within** |\n\n- note <b>one</b>\n")
    index = site.write_site(results, base / "site", repro)
    return base, index


class Page(HTMLParser):
    """Tables (header texts, rows of cell texts and data-sort values), links, ids and script tags of a page."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.tables, self.links, self.ids, self.attrs, self.scripts, self._cell = [], [], set(), set(), 0, None
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.attrs |= set(a)
        if "id" in a:
            self.ids.add(a["id"])
        for key in ("href", "src"):
            if key in a:
                self.links.append((tag, key, a[key]))
        if tag == "script":
            self.scripts += 1
        elif tag == "table":
            self.tables.append({"class": a.get("class", ""), "head": [], "rows": []})
        elif tag == "tr" and self.tables:
            self._row = []
        elif tag in ("td", "th"):
            self._cell = [tag, "", a.get("data-sort")]

    def handle_data(self, data):
        if self._cell is not None:
            self._cell[1] += data

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self._row.append((self._cell[1].strip(), self._cell[2]))
            self._cell = None
        elif tag == "tr" and self.tables:
            t = self.tables[-1]
            if self._row and all(c[1] is None for c in self._row) and not t["head"]:
                t["head"] = [c[0] for c in self._row]
            else:
                t["rows"].append(self._row)


def pages(root: Path) -> dict[Path, str]:
    return {p: p.read_text() for p in sorted(root.rglob("*.html"))}


def markdown_tables(text: str) -> dict[str, list[dict]]:
    """{task: rows (header -> cell)} of the Markdown leaderboard's board tables."""
    out, task, lines = {}, None, text.splitlines()
    for i, line in enumerate(lines):
        if m := re.match(r"### `(.+)` \(v\d+\)", line):
            task = m.group(1)
        elif task and line.startswith("|") and lines[i + 1].startswith("|--"):
            head = [c.strip() for c in line.strip("|").split("|")]
            rows = []
            for body in lines[i + 2:]:
                if not body.startswith("|"):
                    break
                rows.append(dict(zip(head, (c.strip() for c in body.strip("|").split("|")))))
            out[task], task = rows, None
    return out


def test_pages_exist_and_every_relative_link_and_image_resolves(built):
    base, index = built
    root = index.parent
    assert index.is_file()
    found = pages(root)
    tasks = {p.name.rsplit("-", 1)[0] for p in (root / "task").glob("*.html")}
    assert tasks == {"a", "b", "c"}
    assert len(list((root / "method").glob("*.html"))) == 6  # x, y, z, only-a, w (failed only), the submission
    assert {p.name for p in (root / "reproductions").glob("*.html")} == {"index.html", "t1.html"}
    checked = 0
    for path, text in found.items():
        for tag, _, url in Page(text).links:
            assert not re.match(r"^[a-z]+:", url) or url.startswith(("https://", "http://")), (path, url)
            if url.startswith(("https://", "http://")):
                continue
            target, _, frag = url.partition("#")
            dest = (path.parent / unquote(target)).resolve() if target else path
            assert dest.is_file(), f"{path.relative_to(root)} links to missing {url}"
            if frag:
                assert frag in Page(dest.read_text()).ids, f"{path.relative_to(root)}: no #{frag} in {target}"
            checked += 1
    assert checked > 50
    assert list(base.glob(".site.*")) == []  # no temporary folder left beside the site


def test_task_tables_show_the_numbers_of_the_markdown_leaderboard(built):
    base, index = built
    md = markdown_tables(render_markdown(aggregate(read_results(base / "results"))))
    assert set(md) == {"a", "b", "c"}
    for task, rows in md.items():
        page = Page((index.parent / "task" / f"{site.slug(task)}.html").read_text())
        board = next(t for t in page.tables if "board" in t["class"])
        head = board["head"]
        assert head[head.index("method") + 2] == "test accuracy"
        html_rows = {r[head.index("method")][0].removesuffix("submission"): r for r in board["rows"]}
        assert len(html_rows) == len(rows)
        for r in rows:
            name = r["method"].removesuffix(" (submission)")
            cells = html_rows[name]
            assert cells[head.index("test accuracy")][0] == r["test"]
            for col in ("vs best", "val", "seeds", "failed", "epoch ms", "peak MiB", "params"):
                assert cells[head.index(col)][0] == r[col], (task, name, col)
            assert f"{cells[head.index('latency ms')][0]} ({cells[head.index('p90 ms')][0]})" == r["latency ms (p90)"]
            assert cells[head.index("#")][0] == r["#"]
    # the known numbers, not just agreement: x on a = 91.00 ± 1.00, best of task a
    a = Page((index.parent / "task" / f"{site.slug('a')}.html").read_text())
    first = next(t for t in a.tables if "board" in t["class"])["rows"][0]
    assert [c[0] for c in first][:1] == ["1"] and "91.00 ± 1.00" in [c[0] for c in first]


def test_every_board_cell_has_a_sort_value_and_numeric_columns_sort_as_numbers(built):
    _, index = built
    board = next(t for t in Page((index.parent / "task" / f"{site.slug('a')}.html").read_text()).tables
                 if "board" in t["class"])
    col = board["head"].index("latency ms")
    keys = [float(r[col][1]) for r in board["rows"]]
    assert sorted(keys) != keys  # rank order is not latency order, so a sort by latency has work to do
    assert keys == pytest.approx([9.09, 3.03, 1.01, 4.04, 2.01])  # medians of the seeds' latencies
    assert all(c[1] is not None for r in board["rows"] for c in r)


def test_significance_marks_follow_the_aggregation(built):
    base, index = built
    agg = aggregate(read_results(base / "results"))
    for (task, _), b in agg.boards.items():
        board = next(t for t in Page((index.parent / "task" / f"{site.slug(task)}.html").read_text()).tables
                     if "board" in t["class"])
        col = board["head"].index("vs best")
        marks = [r[col][0] for r in board["rows"]]
        assert marks == [_fmt_sig(r) for _, r in b.table.iterrows()]
        assert marks[0] == "best" and [float(r[col][1]) for r in board["rows"]][0] == -1.0
    # task a: x (90, 91, 92) vs y (80, 82, 81) differ on every seed by ~10 points: significant; the submission
    # (85, 86, 84) is 5-7 points below x on matched seeds: significant too
    a = next(t for t in Page((index.parent / "task" / f"{site.slug('a')}.html").read_text()).tables
             if "board" in t["class"])
    by_method = {r[a["head"].index("method")][0]: r[a["head"].index("vs best")][0] for r in a["rows"]}
    assert by_method["x"] == "best" and by_method["y"].startswith("p=") and not by_method["y"].startswith("≈")


def test_method_rows_agree_with_the_aggregations_per_seed_values(built):
    base, _ = built
    df = read_results(base / "results")
    agg = aggregate(df)
    ok, _ = site.board_rows(df)
    for b in agg.boards.values():
        if b.table.empty:
            continue
        for method, rows in site.chosen_rows(b, ok).items():
            mine = rows.sort_values("seed")["test_metric"].tolist()
            theirs = b.per_seed[b.per_seed["method"] == method].sort_values("seed")["test_metric"].tolist()
            assert mine == theirs, (b.task, method)


def test_method_pages_show_the_runs_behind_the_row_with_provenance(built):
    base, index = built
    text = (index.parent / "method" / f"{site.slug('x')}.html").read_text()
    page = Page(text)
    seeds = [t for t in page.tables if t["head"] and t["head"][0] == "seed" and "split" in t["head"]]
    assert len(seeds) == 3  # tasks a, b, c
    by_task = dict(zip("abc", seeds))
    col = by_task["a"]["head"].index("test accuracy")
    values = [float(r[col][1]) for r in by_task["a"]["rows"]]
    assert values == [0.90, 0.91, 0.92]  # config c1 only: c2 (worse on validation) is not the row's config
    assert np.mean(values) == pytest.approx(0.91)
    assert "ffffffffff" in text and "Test CPU" in text and "2026-01-01 00:00:01 UTC" in text
    assert "&quot;hidden&quot;: 16" in text  # the chosen hyperparameters
    z = (index.parent / "method" / f"{site.slug('z')}.html").read_text()
    assert "Failed or timed-out runs" in z and "CUDA out of memory" in z
    assert "<img src=x" not in z and "&lt;img src=x onerror=alert(3)&gt;" in z


def test_a_method_whose_every_run_failed_gets_a_page_with_its_errors(built):
    _, index = built
    w = (index.parent / "method" / f"{site.slug('w')}.html").read_text()
    assert "every run failed" in w and w.count("<code>TrainingDiverged: loss is nan</code>") == 2
    c = (index.parent / "task" / f"{site.slug('c')}.html").read_text()
    assert f'href="../method/{site.slug("w")}.html">w</a> (2 failed)' in c
    assert f'href="method/{site.slug("w")}.html"' in index.read_text()


def test_a_hostile_submission_renders_inert(built):
    _, index = built
    root = index.parent
    for path, text in pages(root).items():
        page = Page(text)
        assert "<script>alert" not in text.lower() and "<img src=x" not in text.lower(), path
        assert not [u for _, _, u in page.links if u.strip().lower().startswith(("javascript", "data", "vbscript"))]
        assert not [a for a in page.attrs if a.startswith("on")], f"{path}: an event-handler attribute"
        assert page.scripts == 1, f"{path}: only the sorting script may be a script"
    svgs = sorted((root / "plots").glob("*.svg"))
    assert svgs and not [p.name for p in svgs if "<script" in p.read_text().lower()]  # names are SVG text
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in p.read_text() for p in svgs)
    method = (root / "method" / f"{site.slug(EVIL)}.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in method
    assert "javascript:alert(1)" in method  # shown as text, not as a link
    assert 'href="https://example.org/code?a=1&amp;b=2"' in method
    assert "&lt;img src=x onerror=alert(2)&gt;" in method
    task_a = (root / "task" / f"{site.slug('a')}.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in task_a and ">submission<" in task_a
    for text in pages(root).values():  # the page's one script is ours, byte for byte
        assert text.count("<script>") == 1 and f"<script>{site.JS}</script>" in text


def test_reproduction_markdown_becomes_html_with_links_kept_safe(built):
    _, index = built
    readme = (index.parent / "reproductions" / "index.html").read_text()
    assert '<a href="t1.html"><code>t1</code></a>' in readme
    t1 = (index.parent / "reproductions" / "t1.html").read_text()
    assert 'href="https://arxiv.org/abs/1"' in t1 and "javascript" not in re.findall(r'href="([^"]*)"', t1)
    assert "<b>within</b>" in t1 and "80.50 ± 1.00 (3 seeds)" in t1 and "&lt;b&gt;one&lt;/b&gt;" in t1
    assert "A &amp; B 2020" in t1
    home = index.read_text()
    assert 'href="reproductions/t1.html"' in home


def test_the_same_results_give_the_same_bytes(built, tmp_path):
    base, index = built
    again = site.write_site(base / "results", tmp_path / "site2", base / "repro").parent
    first = {p.relative_to(index.parent): p.read_bytes() for p in sorted(index.parent.rglob("*")) if p.is_file()}
    second = {p.relative_to(again): p.read_bytes() for p in sorted(again.rglob("*")) if p.is_file()}
    assert first.keys() == second.keys() and any(k.suffix == ".svg" for k in first)
    assert [k for k in first if first[k] != second[k]] == []


def test_a_failed_build_leaves_the_previous_site_untouched(built, tmp_path, monkeypatch):
    base, _ = built
    out = tmp_path / "site"
    site.write_site(base / "results", out, None)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(site, "render_task", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        site.write_site(base / "results", out, None)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_the_overview_has_track_summaries_and_a_cd_diagram_without_the_one_task_method(built):
    base, index = built
    page = Page(index.read_text())
    summary = next(t for t in page.tables if t["head"][:3] == ["#", "method", "avg rank"])
    ranks = {r[1][0]: float(r[2][1]) for r in summary["rows"]}
    assert ranks["x"] == pytest.approx((1 + 2 + 1) / 3) and ranks["only-a"] == 5.0
    assert any(src.startswith("plots/") and src.endswith(".svg") for _, _, src in page.links)
    scores, left = site.cd_scores(aggregate(read_results(base / "results")), "node", "max_epochs=100, patience=10")
    assert left == sorted(["only-a", EVIL]) and list(scores.index) == ["a", "b", "c"]
    assert list(scores.columns) == ["x", "y", "z"] and scores.loc["b", "y"] == pytest.approx(0.65)


def test_cd_scores_orient_lower_is_better_metrics_so_higher_is_better():
    df = pd.DataFrame([r for t in ("p", "q") for m, v in (("good", 0.1), ("bad", 0.5))
                       for r in runs(t, m, [v, v], track="tabular")])
    df["metric_name"], df["higher_is_better"] = "rmse", False
    scores, left = site.cd_scores(aggregate(df), "tabular", "max_epochs=100, patience=10")
    assert left == [] and (scores["good"] > scores["bad"]).all()


@pytest.mark.parametrize("names", [["a/b", "a_b", "a?b"], ["..", ".", ""], ["ü", "ä"], ["x" * 200, "x" * 201]])
def test_slugs_are_safe_file_names_and_unique(names):
    slugs = [site.slug(n) for n in names]
    assert len(set(slugs)) == len(names)
    for s in slugs:
        assert re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]{0,80}", s) and not s.startswith(".")


def test_links_are_made_for_http_urls_only():
    assert site.link("https://a.org/?x=1&y=<2>") == ('<a href="https://a.org/?x=1&amp;y=&lt;2&gt;" '
                                                     'rel="noopener noreferrer nofollow">https://a.org/?x=1&amp;y=&lt;2&gt;</a>')
    for url in ("javascript:alert(1)", "JAVASCRIPT:alert(1)", " https://a.org", "data:text/html,x", "//evil.org",
                "ftp://a.org"):
        assert "<a" not in site.link(url)
    assert site.esc("\"'<>&") == "&quot;&#x27;&lt;&gt;&amp;"

"""Significance tests and the plots that show them: paired tests per task, rank tests over tasks.

Per task (the leaderboard's ``sig`` column, ``netarena compare``): a paired
t-test over matched seeds or folds (:func:`paired_pvalue`), Welch's t-test when
the seeds do not match (:func:`welch_pvalue`).

Over the tasks of a track (Demsar 2006, "Statistical comparisons of classifiers
over multiple data sets", JMLR 7): methods are ranked on every task (1 = best,
ties averaged), the Friedman test asks whether the average ranks differ at all
(:func:`rank_test`), and a post hoc test says which pairs do: Nemenyi's
critical difference on the average ranks, or pairwise Wilcoxon signed-rank
tests with Holm's correction (Benavoli, Corani and Mangili 2016, "Should we
really use post-hoc tests based on mean-ranks?", JMLR 17, recommend the
latter). :func:`plot_cd` draws the critical-difference diagram,
:func:`plot_pareto` a metric against a cost with its Pareto front.

Plots use matplotlib's object API (no pyplot, so no global figure state and no
GUI backend; PNGs are drawn by Agg) and are deterministic: the same data give
the same bytes (fixed SVG hash salt, no date in the metadata).
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sst

from suite.errors import ConfigError

# Demsar 2006, Table 5(a): critical values q_alpha of the two-tailed Nemenyi test at alpha = 0.05, for k = 2..10
# methods (the Studentized range statistic divided by sqrt(2)). Larger k, or another alpha: from scipy.
NEMENYI_Q05 = {2: 1.960, 3: 2.343, 4: 2.569, 5: 2.728, 6: 2.850, 7: 2.949, 8: 3.031, 9: 3.102, 10: 3.164}
POST_HOC = ("wilcoxon-holm", "nemenyi")
# Same data -> same SVG bytes: element ids come from this salt instead of a random one; text stays text.
PLOT_RC = {"svg.hashsalt": "netarena", "svg.fonttype": "none", "font.size": 8}


def _matched(a, b) -> tuple[np.ndarray, np.ndarray]:
    """``a``, ``b`` as float arrays of the same length [n], pairs with a missing value on either side dropped."""
    a, b = np.asarray(a, dtype=float).ravel(), np.asarray(b, dtype=float).ravel()
    if a.shape != b.shape:
        raise ValueError(f"paired values need the same length, got {a.size} and {b.size}")
    keep = np.isfinite(a) & np.isfinite(b)
    return a[keep], b[keep]


def _constant(x: np.ndarray) -> bool:
    """All values equal up to float rounding (a shift of 0.3 applied to 0.1, 0.2, 0.4 is not bit-exact)."""
    return bool(np.ptp(x) <= 1e-12 * max(1.0, float(np.max(np.abs(x)))))


def paired_pvalue(a, b) -> float:
    """Two-sided paired t-test (``scipy.stats.ttest_rel``) of matched values ``a[i]``, ``b[i]`` (same seed or fold).

    ``a``, ``b``: array-likes [n]; pairs with a NaN on either side are dropped. Returns nan when fewer than
    2 pairs remain; 1.0 when every difference is zero; 0.0 when every difference is the same non-zero value
    (no spread: the t statistic is infinite; scipy would return nan).

    Why a t-test rather than Wilcoxon's signed-rank test: leaderboards have 3 to 10 seeds, and the smallest
    two-sided p-value Wilcoxon can reach with n pairs is 2 / 2**n (0.0625 with 5 pairs, 0.25 with 3), so on
    5 seeds or fewer it can never reject at alpha = 0.05 whatever the data; the paired t-test can, at the
    price of assuming roughly normal per-seed differences.
    """
    a, b = _matched(a, b)
    if a.size < 2:
        return float("nan")
    d = a - b
    if _constant(d):
        return 1.0 if np.all(np.abs(d) <= 1e-12 * max(1.0, float(np.max(np.abs(a))))) else 0.0
    # ttest_rel's statistic and p-value, computed directly: scipy's wrapper costs ~1 ms a call, and the
    # leaderboard makes one call per method per task (2,000 on a million rows).
    n = d.size
    t = d.mean() / (d.std(ddof=1) / np.sqrt(n))
    return float(2.0 * sst.t.sf(abs(t), n - 1))


def welch_pvalue(a, b) -> float:
    """Two-sided Welch t-test (unequal variances) of two independent samples ``a`` [n], ``b`` [m].

    For per-seed values whose seeds do not match. NaNs are dropped; nan when either side has fewer than 2
    values; when both sides have no spread: 1.0 if their means are equal, else 0.0.
    """
    a = np.asarray(a, dtype=float).ravel()
    b = np.asarray(b, dtype=float).ravel()
    a, b = a[np.isfinite(a)], b[np.isfinite(b)]
    if a.size < 2 or b.size < 2:
        return float("nan")
    if _constant(a) and _constant(b):
        return 1.0 if _constant(np.array([a.mean(), b.mean()])) else 0.0
    return float(sst.ttest_ind(a, b, equal_var=False).pvalue)


def holm(pvalues) -> np.ndarray:
    """Holm's step-down adjusted p-values [m], in the input order; NaNs stay NaN and do not count in m.

    Sorted ascending, the i-th smallest (i = 1..m) becomes max over j <= i of min(1, (m - j + 1) p_(j)):
    the smallest is multiplied by m, the next by m - 1, ..., and adjusted values never decrease along the order.
    """
    p = np.asarray(pvalues, dtype=float)
    out = np.full(p.shape, np.nan)
    idx = np.flatnonzero(np.isfinite(p))
    if idx.size == 0:
        return out
    order = idx[np.argsort(p[idx], kind="stable")]
    m = order.size
    scaled = np.minimum(1.0, (m - np.arange(m)) * p[order])
    out[order] = np.maximum.accumulate(scaled)
    return out


def nemenyi_q(k: int, alpha: float = 0.05) -> float:
    """Critical value q_alpha of the Nemenyi test for ``k`` >= 2 methods (Demsar 2006, Table 5)."""
    if k < 2:
        raise ValueError(f"the Nemenyi test needs at least 2 methods, got {k}")
    if alpha == 0.05 and k in NEMENYI_Q05:
        return NEMENYI_Q05[k]
    return float(sst.studentized_range.ppf(1.0 - alpha, k, np.inf) / math.sqrt(2.0))


def critical_difference(k: int, n_tasks: int, alpha: float = 0.05) -> float:
    """Nemenyi critical difference of average ranks: q_alpha * sqrt(k (k + 1) / (6 N)) (Demsar 2006, Sec. 3.2.2)."""
    return nemenyi_q(k, alpha) * math.sqrt(k * (k + 1) / (6.0 * n_tasks))


@dataclass
class RankTest:
    """Friedman test over tasks with its post hoc comparisons (Demsar 2006).

    ``methods`` and ``avg_ranks`` are in order of average rank, best (lowest) first, ties by name. Test fields
    are nan, ``pairwise`` all nan and ``cliques`` empty when fewer than 2 methods or 2 complete tasks remain.
    """

    methods: list[str]
    avg_ranks: pd.Series  # method -> mean rank over the complete tasks (1 = best on a task, ties averaged)
    n_tasks: int  # tasks the test used: those where every method has a value
    friedman_stat: float  # Friedman's chi^2_F (Demsar's eq., no tie correction), k - 1 degrees of freedom
    friedman_p: float
    cd: float  # Nemenyi critical difference of average ranks at ``alpha``
    pairwise: pd.DataFrame  # methods x methods: Wilcoxon signed-rank p over tasks, Holm-adjusted; diagonal nan
    cliques: list[tuple[str, ...]]  # maximal runs (in rank order) of >= 2 methods with no significant pair
    dropped_tasks: int = 0  # tasks left out because some method has no value there
    iman_davenport: float = float("nan")  # F_F, the less conservative form of the Friedman statistic
    iman_davenport_p: float = float("nan")  # F distribution, (k - 1, (k - 1)(N - 1)) degrees of freedom
    alpha: float = 0.05
    post_hoc: str = "wilcoxon-holm"  # which test ``cliques`` come from: "wilcoxon-holm" or "nemenyi"
    notes: list[str] = field(default_factory=list)  # why a test was not run, and what was dropped


def _ranks(values: np.ndarray) -> np.ndarray:
    """[N, k] scores (higher is better) -> [N, k] ranks per row, 1 = highest, ties get the average rank."""
    return sst.rankdata(-values, axis=1, method="average")


def _friedman(ranks: np.ndarray) -> tuple[float, float, float, float]:
    """(chi^2_F, p, F_F, p) of [N, k] ranks, as Demsar 2006 Sec. 3.2.2 writes them (no correction for ties)."""
    n, k = ranks.shape
    r = ranks.mean(axis=0)
    chi2 = 12.0 * n / (k * (k + 1)) * (float(np.sum(r**2)) - k * (k + 1) ** 2 / 4.0)
    chi2 = max(chi2, 0.0)  # rounding can push an all-ties statistic a hair below zero
    p = float(sst.chi2.sf(chi2, k - 1))
    denom = n * (k - 1) - chi2
    if denom <= 1e-12:  # every task ranks the methods identically: F_F is infinite
        return chi2, p, float("inf"), 0.0
    ff = (n - 1) * chi2 / denom
    return chi2, p, ff, float(sst.f.sf(ff, k - 1, (k - 1) * (n - 1)))


def _wilcoxon_holm(values: np.ndarray) -> np.ndarray:
    """[N, k] scores -> [k, k] Holm-adjusted two-sided Wilcoxon signed-rank p-values over tasks (diagonal nan).

    Zero differences are split evenly between the signed sums (Demsar 2006, Sec. 3.1.3: ``zero_method="zsplit"``).
    """
    k = values.shape[1]
    pairs = [(i, j) for i in range(k) for j in range(i + 1, k)]
    raw = []
    for i, j in pairs:
        d = values[:, i] - values[:, j]
        if np.all(d == 0):
            raw.append(1.0)
            continue
        with warnings.catch_warnings():  # small-sample and ties notices: the p-value is still the test's
            warnings.simplefilter("ignore")
            raw.append(float(sst.wilcoxon(values[:, i], values[:, j], zero_method="zsplit").pvalue))
    adjusted = holm(raw)
    out = np.full((k, k), np.nan)
    for (i, j), p in zip(pairs, adjusted):
        out[i, j] = out[j, i] = p
    return out


def _cliques(methods: list[str], significant: np.ndarray) -> list[tuple[str, ...]]:
    """Maximal runs of consecutive methods (rank order) of length >= 2 with no significant pair inside."""
    k, out, last_end = len(methods), [], 0
    for i in range(k):
        j = i
        while j + 1 < k and not significant[i:j + 1, j + 1].any():
            j += 1
        if j > i and j > last_end:
            out.append(tuple(methods[i:j + 1]))
            last_end = j
    return out


def rank_test(scores: pd.DataFrame, alpha: float = 0.05, post_hoc: str = "wilcoxon-holm") -> RankTest:
    """Friedman test over tasks and its post hoc comparisons.

    ``scores``: index = task, columns = method, values oriented so that HIGHER IS BETTER (negate an error or
    loss before calling). Only tasks where every method has a value are used; the others are dropped and
    counted in ``dropped_tasks``. Cliques: when the Friedman test does not reject at ``alpha`` the post hoc test
    is not run (Demsar 2006) and all methods form one clique; otherwise pairs differ when ``post_hoc`` says so
    (``"wilcoxon-holm"``: adjusted p < alpha; ``"nemenyi"``: average ranks further apart than ``cd``).
    With fewer than 2 methods or 2 complete tasks, the result has nan test fields and no cliques (no error).
    """
    if post_hoc not in POST_HOC:
        raise ConfigError(f"unknown post hoc test {post_hoc!r}; use one of {', '.join(POST_HOC)}")
    values_df = scores.apply(pd.to_numeric, errors="coerce").astype(float)
    values_df.columns = [str(c) for c in values_df.columns]
    complete = values_df.dropna(axis=0, how="any")
    dropped = int(len(values_df) - len(complete))
    notes = [f"{dropped} task(s) dropped: not every method has a value there"] if dropped else []
    n, k = complete.shape
    if n:
        avg = pd.Series(_ranks(complete.to_numpy()).mean(axis=0), index=complete.columns)
    else:
        avg = pd.Series(np.nan, index=complete.columns, dtype=float)
    order = sorted(avg.index, key=lambda m: (avg[m] if np.isfinite(avg[m]) else math.inf, m))
    avg = avg[order]
    nan_pairs = pd.DataFrame(np.nan, index=order, columns=order)
    if k < 2 or n < 2:
        notes.append(f"no Friedman test: it needs >= 2 methods and >= 2 tasks with every method, got {k} and {n}")
        return RankTest(order, avg, n, float("nan"), float("nan"), float("nan"), nan_pairs, [], dropped,
                        alpha=alpha, post_hoc=post_hoc, notes=notes)
    values = complete[order].to_numpy()
    chi2, p, ff, ff_p = _friedman(_ranks(values))
    cd = critical_difference(k, n, alpha)
    pairwise = pd.DataFrame(_wilcoxon_holm(values), index=order, columns=order)
    if not p < alpha:  # the omnibus test found no difference: no post hoc (Demsar 2006, Sec. 3.2.2)
        cliques = [tuple(order)]
    elif post_hoc == "nemenyi":
        r = avg.to_numpy()
        cliques = _cliques(order, np.abs(r[:, None] - r[None, :]) > cd)
    else:
        cliques = _cliques(order, (pairwise.to_numpy() < alpha))
    return RankTest(order, avg, n, chi2, p, cd, pairwise, cliques, dropped, ff, ff_p, alpha, post_hoc, notes)


def _plain(text: str) -> str:
    """A label as literal text: matplotlib reads ``$...$`` as mathtext (and fails on an odd number of ``$``)."""
    return str(text).replace("$", r"\$")


def _save(fig, path: Path) -> None:
    """Write ``fig`` as SVG or PNG by ``path``'s suffix, with no date or other per-run metadata."""
    fmt = path.suffix.lower().lstrip(".")
    if fmt not in ("svg", "png"):
        raise ConfigError(f"plots are written as .svg or .png, got {path.name!r}; change the file suffix")
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=fmt, metadata={"Date": None} if fmt == "svg" else {"Software": None})


def plot_cd(test: RankTest, path: str | Path, title: str) -> Path:
    """Critical-difference diagram in Demsar's style (2006, Fig. 1-2) to ``path`` (.svg or .png).

    An axis of average ranks (1 on the left = best); the better half of the methods labelled on the left, the
    rest on the right, each joined to its average rank; thick bars join each clique (methods not significantly
    different under ``test.post_hoc``); above the axis, an interval as long as the Nemenyi CD. A test that was
    not run (too few tasks) still draws the ranks, with a note in place of the CD.
    """
    import matplotlib
    from matplotlib.figure import Figure

    path = Path(path)
    k = len(test.methods)
    ranks = [float(test.avg_ranks[m]) for m in test.methods]
    hi = max(k, 2)
    half = (k + 1) // 2
    rows = max(half, k - half, 1)
    # Vertical layout in text lines (y grows downwards): title, subtitle, CD interval, tick labels, axis, cliques,
    # then one row per method on each side.
    y_title, y_sub, y_cd, y_axis = 0.3, 1.4, 3.5, 5.2
    y_clique0 = y_axis + 0.45
    y_row0 = y_clique0 + 0.35 * len(test.cliques) + 0.5
    height = y_row0 + (rows - 1) + 0.8
    left, right = 0.3, 0.7  # the rank axis spans the middle; names go either side of it

    def x(r: float) -> float:
        return left + (r - 1.0) / (hi - 1.0) * (right - left)

    with matplotlib.rc_context(PLOT_RC):
        fig = Figure(figsize=(7.0, 0.16 * height))  # a line of 8-pt text is about 0.16 in
        ax = fig.add_axes((0.0, 0.0, 1.0, 1.0))
        ax.set_xlim(0.0, 1.0)
        ax.set_ylim(height, 0.0)
        ax.set_axis_off()
        ax.plot([x(1), x(hi)], [y_axis, y_axis], color="black", lw=1)
        step = max(1, -(-hi // 15))  # at most ~15 labelled ticks
        for t in range(1, hi + 1):
            ax.plot([x(t), x(t)], [y_axis, y_axis - 0.3], color="black", lw=1)
            if (t - 1) % step == 0 or t == hi:
                ax.text(x(t), y_axis - 0.4, str(t), ha="center", va="bottom")
        if np.isfinite(test.cd):
            end = min(1 + test.cd, hi)
            ax.plot([x(1), x(end)], [y_cd, y_cd], color="black", lw=1.5)
            for e in (1.0, end):
                ax.plot([x(e), x(e)], [y_cd - 0.2, y_cd + 0.2], color="black", lw=1)
            ax.text(x(end) + 0.01, y_cd, f"CD = {test.cd:.2f}", ha="left", va="center")
        for c, clique in enumerate(test.cliques):
            lo, up = min(test.avg_ranks[m] for m in clique), max(test.avg_ranks[m] for m in clique)
            y = y_clique0 + 0.35 * c
            ax.plot([x(lo) - 0.005, x(up) + 0.005], [y, y], color="black", lw=3, solid_capstyle="butt")
        for i, (m, r) in enumerate(zip(test.methods, ranks)):
            if not np.isfinite(r):
                continue
            on_left = i < half
            row = i if on_left else k - 1 - i  # the outermost rank gets the shortest line: lines never cross
            y = y_row0 + row
            x_end = left - 0.02 if on_left else right + 0.02
            ax.plot([x(r), x(r), x_end], [y_axis, y, y], color="black", lw=0.8)
            ax.text(x_end + (-0.01 if on_left else 0.01), y, f"{_plain(m)} ({r:.2f})",
                    ha="right" if on_left else "left", va="center")
        if np.isfinite(test.friedman_p):
            how = "Wilcoxon signed-rank, Holm" if test.post_hoc == "wilcoxon-holm" else "Nemenyi"
            sub = (f"Friedman p = {test.friedman_p:.3g} over N = {test.n_tasks} tasks, k = {k} methods\n"
                   f"bars join methods not significantly different ({how}, alpha {test.alpha:g})")
        else:
            sub = (test.notes[-1] if test.notes else "no Friedman test").replace(": ", ":\n", 1)
        if test.dropped_tasks:
            sub += f"; {test.dropped_tasks} task(s) without every method dropped"
        ax.text(0.5, y_title, _plain(title), ha="center", va="top", fontsize=9, fontweight="bold")
        ax.text(0.5, y_sub, _plain(sub), ha="center", va="top", fontsize=7, color="0.3", linespacing=1.3)
        _save(fig, path)
    return path


def pareto_front(points: pd.DataFrame, higher_is_better: bool) -> pd.Series:
    """Whether each point [n] (columns ``x``: a cost, lower is better; ``y``: the metric) is Pareto-optimal.

    A point is dominated when another has x <= its x and a y at least as good, one of them strictly better.
    Points with a missing x or y are never on the front. Returns a bool Series aligned with ``points.index``.
    """
    xv = pd.to_numeric(points["x"], errors="coerce").to_numpy(dtype=float)
    yv = pd.to_numeric(points["y"], errors="coerce").to_numpy(dtype=float) * (1 if higher_is_better else -1)
    ok = np.isfinite(xv) & np.isfinite(yv)
    no_worse = (xv[None, :] <= xv[:, None]) & (yv[None, :] >= yv[:, None])  # [i, j]: j at least as good as i
    better = (xv[None, :] < xv[:, None]) | (yv[None, :] > yv[:, None])
    dominated = (no_worse & better & ok[None, :]).any(axis=1)
    return pd.Series(ok & ~dominated, index=points.index)


def plot_pareto(points: pd.DataFrame, x_label: str, y_label: str, higher_is_better: bool, path: str | Path,
                log_x: bool = True) -> Path:
    """Scatter of ``points`` (columns method, x, y) with the Pareto front (lower x, better y) marked and joined.

    Front points are drawn larger, joined by a step line (the best y reachable at each cost); every point is
    labelled with its method. Points missing x or y (or with x <= 0 on a log axis) are left out and counted in
    a note. Written to ``path`` (.svg or .png), deterministically.
    """
    import matplotlib
    from matplotlib.figure import Figure

    path = Path(path)
    pts = points.assign(x=pd.to_numeric(points["x"], errors="coerce"), y=pd.to_numeric(points["y"], errors="coerce"))
    shown = np.isfinite(pts["x"]) & np.isfinite(pts["y"]) & ((pts["x"] > 0) if log_x else True)
    left_out = int((~shown).sum())
    pts = pts[shown].sort_values(["x", "method"], kind="stable")
    front = pareto_front(pts, higher_is_better)
    with matplotlib.rc_context(PLOT_RC):
        fig = Figure(figsize=(5.0, 3.6))
        ax = fig.add_subplot()
        if pts.empty:
            ax.text(0.5, 0.5, "no point has both values", ha="center", va="center", transform=ax.transAxes)
        else:
            rest = pts[~front]
            ax.scatter(rest["x"], rest["y"], s=18, color="0.6", zorder=2, label="dominated")
            on = pts[front]
            ax.step(on["x"], on["y"], where="post", color="C0", lw=1, zorder=1)
            ax.scatter(on["x"], on["y"], s=40, color="C0", edgecolors="black", linewidths=0.6, zorder=3,
                       label="Pareto front (lower x, better y)")
            for m, xv, yv in zip(pts["method"], pts["x"], pts["y"]):
                ax.annotate(_plain(m), (xv, yv), xytext=(3, 3), textcoords="offset points", fontsize=6)
            if log_x:
                from matplotlib.ticker import FuncFormatter, NullFormatter

                ax.set_xscale("log")
                # Plain tick labels: the default log formatter typesets 10^k as math text, which is most of a
                # plot's cost (156 plots on the leaderboard) and reads 1.2x10^0 on narrow ranges.
                ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
                ax.xaxis.set_minor_formatter(NullFormatter())
            ax.legend(fontsize=6, loc="best")
        ax.set_xlabel(_plain(x_label))
        ax.set_ylabel(_plain(f"{y_label} ({'higher' if higher_is_better else 'lower'} is better)"))
        ax.grid(True, which="major", alpha=0.3)
        if left_out:
            ax.set_title(f"{left_out} point(s) without both values not shown", fontsize=7)
        fig.tight_layout()
        _save(fig, path)
    return path

"""The site in a real browser: Debian's headless Chromium driven by Playwright (no browser download).

Opens the generated site from ``file://``, follows a link to a task, sorts its table by clicking headers,
follows a link to a method page, and fails on any console error, page error (a Content Security Policy
violation is one) or dialog (an ``alert`` that escaped escaping). Screenshots of the overview and a task
page go to ``$NETARENA_SCREENSHOTS`` (default: the test's tmp folder).
"""

import os
import shutil
from pathlib import Path

import pytest

from suite import site
from tests.test_site import EVIL, write_results

CHROMIUM = os.environ.get("NETARENA_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(not CHROMIUM, reason="chromium absent: apt-get install chromium (.ci/run does)")
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright absent: pip install -e '.[test]'")


@pytest.fixture(scope="module")
def site_index(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("browser")
    return site.write_site(write_results(base / "results"), base / "site", None)


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A page that records console errors, page errors and dialogs in ``page.problems``."""
    pg = browser.new_page(viewport={"width": 1280, "height": 900})
    problems = []
    pg.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: problems.append(f"page error: {e}"))

    def dialog(d):
        problems.append(f"dialog: {d.message}")
        d.dismiss()

    pg.on("dialog", dialog)
    pg.problems = problems
    yield pg
    pg.close()


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get("NETARENA_SCREENSHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def column(table, name: str) -> list[str]:
    """The data-sort values of the column headed ``name``, in the row order on screen."""
    return table.evaluate("""(t, name) => {
        const i = Array.from(t.tHead.rows[0].cells).findIndex(h => h.textContent.trim() === name);
        if (i < 0) throw new Error("no column " + name);
        return Array.from(t.tBodies[0].rows).map(r => r.cells[i].getAttribute("data-sort"));
    }""", name)


def images_loaded(page) -> list[int]:
    return page.evaluate("Array.from(document.images).map(i => i.complete ? i.naturalWidth : -1)")


def test_browse_sort_and_follow_links_without_console_errors(site_index, page, tmp_path):
    out = shots(tmp_path)
    page.goto(site_index.as_uri())
    assert page.title() == "Leaderboard - NetArena"
    widths = images_loaded(page)
    assert widths and all(w > 0 for w in widths), f"images not loaded: {widths}"  # the CD diagram
    page.screenshot(path=str(out / "overview.png"), full_page=True)

    page.locator(f'a[href^="task/{site.slug("a")}.html"]').first.click()
    page.wait_for_load_state("load")
    assert page.url.split("#")[0].endswith(f"/task/{site.slug('a')}.html")
    assert all(w > 0 for w in images_loaded(page)) and len(images_loaded(page)) == 2  # the two Pareto plots
    page.screenshot(path=str(out / "task.png"), full_page=True)

    table = page.locator("table.board").first
    methods = column(table, "method")
    assert methods == ["x", EVIL, "y", "z", "only-a"]  # rank order (test mean)
    before = [float(v) for v in column(table, "latency ms")]
    page.locator("table.board thead th", has_text="latency ms").first.click()
    after = [float(v) for v in column(table, "latency ms")]
    assert after == sorted(before) and after != before
    assert column(table, "method") == ["y", "only-a", EVIL, "z", "x"]  # whole rows moved, not just one column
    page.locator("table.board thead th", has_text="latency ms").first.click()
    assert [float(v) for v in column(table, "latency ms")] == sorted(before, reverse=True)
    assert page.locator("table.board thead th", has_text="latency ms").first.get_attribute("aria-sort") == "descending"
    page.locator("table.board thead th", has_text="method").first.click()
    assert column(table, "method") == [EVIL, "only-a", "x", "y", "z"]  # text columns sort as text

    page.locator("table.board tbody tr", has_text="only-a").locator("a").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(f"/method/{site.slug('only-a')}.html")
    assert page.locator("h1").inner_text() == "Method only-a"
    assert page.locator("table.sortable").count() >= 1
    assert page.problems == []


def test_the_hostile_submission_pages_run_no_script_of_theirs(site_index, page):
    for url in (site_index.as_uri(), (site_index.parent / "task" / f"{site.slug('a')}.html").as_uri(),
                (site_index.parent / "method" / f"{site.slug(EVIL)}.html").as_uri()):
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.locator("script").count() == 1
    assert page.locator("h1").inner_text() == f"Method {EVIL}"  # shown as text
    assert page.locator('a[href^="javascript"]').count() == 0
    assert page.problems == []

"""The browser test of the built site: every page loads cleanly, offline, with its math typeset.

Runs after the build (`make test` does both; alone: `make book && pytest tests/test_site.py`).
It serves _build/html on 127.0.0.1, drives Chromium through Playwright, and aborts every
request that leaves the machine, so a page that needs a CDN fails here. For every page: no
console errors, no page errors, no failed local requests, no external requests, every image
loaded, math typeset by MathJax; for every notebook page: a Colab link and an .ipynb download.
And, from the HTML alone, no dead internal link: every local href reaches a file and its anchor.
The Chinese edition (_build/html/zh/) is tested page by page in the same way; besides, every
page and its twin link to each other (a visible switch and <link rel="alternate" hreflang>),
the switch works in the browser both ways, and the Chinese search finds chapter pages.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import socket
import sys
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
NOT_PAGES = {"_static", "_sources", "_images", "_sphinx_design_static"}

sys.path.insert(0, str(ROOT / "scripts"))
import nbtools  # noqa: E402  (the toc's notebooks)


def built_pages() -> list[str]:
    if not (SITE / "index.html").exists():
        return ["(no build)"]
    return sorted(p.relative_to(SITE).as_posix() for p in SITE.rglob("*.html")
                  if not NOT_PAGES.intersection(p.relative_to(SITE).parts[:2]))   # zh/_static too


def notebook_pages() -> dict[str, str]:
    """page (e.g. chapters/01-motivation/bottleneck.html) -> notebook path in the repository, for
    both editions (the Chinese notebooks are zh/chapters/...)."""
    pages = {}
    for notebook in (p.relative_to(ROOT).as_posix() for p in nbtools.toc_notebooks()):
        for edition in ("", "zh/"):
            pages[edition + notebook.removesuffix(".ipynb") + ".html"] = edition + notebook
    return pages


def twin_pages() -> list[str]:
    """The English page of every document of the toc (its twin is zh/<the same>)."""
    return [f"{entry}.html" for entry in nbtools.toc_entries()]


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # keep pytest's output readable
        pass


@pytest.fixture(scope="session")
def server():
    if not (SITE / "index.html").exists():
        pytest.fail(f"no built site at {SITE}: build it first with `make book` "
                    f"(`make test` builds it before this test)", pytrace=False)
    handler = functools.partial(_QuietHandler, directory=str(SITE))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser(tmp_path_factory):
    if not CHROMIUM.exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}. Install it (Debian/Ubuntu as root: "
                    f"`apt-get update && apt-get install -y chromium`) or set CHROMIUM=/path/to/chromium.",
                    pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM),
            headless=True, args=CHROMIUM_ARGS, service_workers="block")
        yield context
        context.close()


def _visible_text_outside_code(page) -> str:
    """The page's text, leaving out code, scripts and typeset math (where "$$" may be fine)."""
    return page.evaluate("""() => {
        const skip = 'pre, code, script, style, mjx-container, textarea, .highlight';
        if (!document.body) return '';
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        const parts = [];
        while (walker.nextNode()) {
            const node = walker.currentNode;
            if (!node.parentElement.closest(skip)) parts.push(node.textContent);
        }
        return parts.join(' ');
    }""")


def visit(context, base: str, page_path: str) -> tuple[object, dict[str, list[str]]]:
    """Load a page; return it and what went wrong, by kind."""
    local = urlparse(base).netloc
    found = {"console errors": [], "page errors": [], "external requests (blocked)": [],
             "failed local requests": []}

    def route(r):
        if urlparse(r.request.url).netloc == local or r.request.url.startswith(("data:", "blob:")):
            r.continue_()
        else:
            found["external requests (blocked)"].append(f"{r.request.resource_type} {r.request.url}")
            r.abort()

    page = context.new_page()
    page.route("**/*", route)
    page.on("console", lambda m: m.type == "error" and found["console errors"].append(
        f"{m.text} (at {m.location.get('url', '?')})"))
    page.on("pageerror", lambda e: found["page errors"].append(str(e)))
    page.on("response", lambda r: r.status >= 400 and urlparse(r.url).netloc == local and
            found["failed local requests"].append(f"{r.status} {r.url}"))
    page.goto(f"{base}/{page_path}", wait_until="load")
    redirect = re.search(r'http-equiv="refresh"[^>]*url=([^"\']+)', (SITE / urlparse(page_path).path).read_text(), re.I)
    if redirect:  # index.html sends the reader on to the home page: test where it lands
        target = urljoin(f"{base}/{page_path}", redirect.group(1).strip())
        page.wait_for_url(target)
        page.wait_for_load_state("load")
    return page, found


MATH_SELECTOR = "div.math, span.math, .MathJax, mjx-container"


@pytest.mark.parametrize("page_path", built_pages())
def test_page(server, browser, page_path):
    if page_path == "(no build)":
        pytest.fail(f"no built site at {SITE}: build it first with `make book`", pytrace=False)
    page, found = visit(browser, server, page_path)
    problems: list[str] = []
    try:
        # Math: wait for MathJax to finish, then every formula must be typeset.
        if page.locator(MATH_SELECTOR).count():
            typeset = page.evaluate("""async () => {
                for (let i = 0; i < 200 && !(window.MathJax && MathJax.startup && MathJax.startup.promise); i++)
                    await new Promise(r => setTimeout(r, 50));
                if (!(window.MathJax && MathJax.startup && MathJax.startup.promise)) return false;
                await MathJax.startup.promise;
                return true;
            }""")
            if not typeset:
                problems.append("math: MathJax did not load (no window.MathJax.startup)")
            elif page.locator("mjx-container").count() == 0:
                problems.append("math: the page has math but MathJax typeset none of it")
        # No TeX left raw on the page (math the parser missed, or MathJax did not typeset).
        text = _visible_text_outside_code(page)
        for raw in ("$$", "\\(", "\\[", "\\begin{"):
            if raw in text:
                at = text.index(raw)
                problems.append(f"math: raw {raw!r} left visible: ...{text[max(0, at - 40):at + 40]!r}...")
        # Images: every <img> loaded (lazy ones are asked to load now).
        page.evaluate("() => document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; })")
        try:
            page.wait_for_function("() => [...document.images].every(i => i.complete)", timeout=15_000)
        except Exception:
            pass  # reported below as images that did not load
        for src, width in page.evaluate("() => [...document.images].map(i => [i.currentSrc || i.src, i.naturalWidth])"):
            if not width:
                problems.append(f"image did not load: {src}")
        # Notebook pages: a Colab launch link and an .ipynb download link.
        notebook = notebook_pages().get(page_path)
        if notebook:
            hrefs = page.evaluate("() => [...document.querySelectorAll('a[href]')].map(a => a.href)")
            if not any("colab.research.google.com" in h and notebook in h for h in hrefs):
                problems.append(f"no Colab link to {notebook}")
            downloads = [h for h in hrefs if h.endswith(".ipynb") and "colab.research" not in h]
            if not downloads:
                problems.append("no .ipynb download link")
            for href in downloads:
                response = page.request.get(href)
                if not response.ok:
                    problems.append(f"the .ipynb download link is broken: {response.status} {href}")
        page.wait_for_timeout(200)  # let late console errors arrive
    finally:
        page.close()
    for kind, items in found.items():
        problems += [f"{kind}: {item}" for item in items]
    assert not problems, f"{page_path}:\n  " + "\n  ".join(problems)


@functools.lru_cache(maxsize=None)
def _anchors(path: Path) -> set[str]:
    from bs4 import BeautifulSoup
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    return {tag["id"] for tag in soup.find_all(id=True)} | {tag["name"] for tag in soup.find_all("a", attrs={"name": True})}


@pytest.mark.parametrize("page_path", built_pages())
def test_no_dead_internal_links(page_path):
    """Every link from this page to another page of the site (or to an anchor) reaches it."""
    if page_path == "(no build)":
        pytest.fail(f"no built site at {SITE}: build it first with `make book`", pytrace=False)
    from bs4 import BeautifulSoup
    page = SITE / page_path
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    dead = []
    for link in soup.find_all("a", href=True):
        href = link["href"]
        parsed = urlparse(href)
        if parsed.scheme or href.startswith(("//", "mailto:", "javascript:")):
            continue  # external: not ours to check offline
        target = page if not parsed.path else (page.parent / parsed.path).resolve()
        if target.is_dir():
            target = target / "index.html"
        if not target.exists():
            dead.append(f"{href} (no file {target.relative_to(SITE) if target.is_relative_to(SITE) else target})")
        elif parsed.fragment and target.suffix == ".html" and parsed.fragment not in _anchors(target):
            dead.append(f"{href} (no anchor #{parsed.fragment} in {target.relative_to(SITE)})")
    assert not dead, f"{page_path} links to what does not exist:\n  " + "\n  ".join(dead)


def test_head_view_responds(server, browser):
    """Chapter 7.5's interactive head view works on the built page, offline: the widget
    (div.attnlab-head-view, set up by _static/head-view.js, which the site serves) shows weights
    under each token (button.attnlab-hv-token, attribute data-weight); choosing another head
    (select.attnlab-hv-head) and clicking another token must each change them."""
    page_path = "chapters/07-pure-attention/pretrained.html"
    if not (SITE / page_path).exists():
        pytest.fail(f"{page_path} was not built: is chapters/07-pure-attention/pretrained.ipynb in _toc.yml?",
                    pytrace=False)
    page, found = visit(browser, server, page_path)
    try:
        page.wait_for_selector(".attnlab-head-view[data-ready=true]", timeout=10_000)
        assert page.evaluate("() => window.attnlabHeadView.source").split("?")[0].endswith("_static/head-view.js"), \
            "the head view ran from the notebook's inlined copy, not from the script the site serves"

        def shown():
            return page.eval_on_selector_all(".attnlab-head-view .attnlab-hv-token", "cs => cs.map(c => c.dataset.weight)")
        before = shown()
        assert len(before) > 2 and all(before), "the head view shows no weights"
        menu = page.locator(".attnlab-head-view select.attnlab-hv-head").first
        menu.select_option(str((int(menu.input_value()) + 1) % 12))
        after_head = shown()
        assert after_head != before, "choosing another head did not change the weights shown"
        page.locator(".attnlab-head-view .attnlab-hv-token").nth(1).click()
        page.mouse.move(0, 0)
        assert shown() != after_head, "clicking another token did not change the weights shown"
        page.wait_for_timeout(200)
    finally:
        page.close()
    problems = [f"{kind}: {item}" for kind, items in found.items() for item in items]
    assert not problems, f"{page_path}:\n  " + "\n  ".join(problems)


def _links_to_twin(page_path: str) -> dict[str, str]:
    """The pages ``page_path`` names as its twins: its hreflang alternates and its visible
    switch, each resolved to a path under the site, by kind."""
    from bs4 import BeautifulSoup
    soup = BeautifulSoup((SITE / page_path).read_text(encoding="utf-8"), "html.parser")

    def resolved(href):
        return (SITE / page_path).parent.joinpath(href).resolve().relative_to(SITE.resolve()).as_posix()
    found = {f"hreflang {link['hreflang']}": resolved(link["href"])
             for link in soup.find_all("link", rel="alternate", hreflang=True)}
    found |= {f"switch {a['hreflang']}": resolved(a["href"]) for a in soup.select("a.language-switch-link")}
    return found


@pytest.mark.parametrize("page_path", twin_pages())
def test_each_page_and_its_chinese_twin_link_to_each_other(page_path):
    twin = f"zh/{page_path}"
    assert (SITE / page_path).exists() and (SITE / twin).exists(), f"{page_path} or {twin} was not built"
    assert _links_to_twin(page_path) == {"hreflang en": page_path, "hreflang zh-CN": twin, "switch zh-CN": twin}
    assert _links_to_twin(twin) == {"hreflang en": page_path, "hreflang zh-CN": twin, "switch en": page_path}


def test_the_language_switch_works_both_ways_in_the_browser(server, browser):
    """Clicking the switch on a notebook page opens its Chinese twin (lang zh-CN), and the twin's
    switch leads back."""
    page_path = "chapters/02-long-range/long-range-task.html"
    page, found = visit(browser, server, page_path)
    try:
        for language, expected in (("zh-CN", f"zh/{page_path}"), ("en", page_path)):
            page.locator(f"a.language-switch-link[hreflang={language}]").click()
            page.wait_for_load_state("load")
            assert page.url == f"{server}/{expected}", f"the {language} switch led to {page.url}"
            assert page.evaluate("() => document.documentElement.lang") == language
    finally:
        page.close()
    problems = [f"{kind}: {item}" for kind, items in found.items() for item in items]
    assert not problems, "\n  ".join(problems)


def test_searching_the_chinese_site_for_attention_finds_chapter_pages(server, browser):
    """Sphinx's search on the Chinese edition (words split by jieba) finds "注意力" (attention)
    on chapter pages."""
    page, found = visit(browser, server, "zh/search.html?q=注意力")
    try:
        # the results arrive one by one; the summary gets its count when the search has finished
        page.wait_for_function("() => /\\d/.test(document.querySelector('.search-summary')?.innerText || '')",
                               timeout=30_000)
        hits = page.eval_on_selector_all("#search-results li a", "links => links.map(a => a.href)")
    finally:
        page.close()
    chapters = [h for h in hits if "/zh/chapters/0" in h]
    assert len(chapters) >= 8, f"searching 注意力 found {len(chapters)} chapter pages: {hits[:10]}"

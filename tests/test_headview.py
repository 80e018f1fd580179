"""attnlab.headview and _static/head-view.js: the interactive head view of chapter 7.5.

The browser part loads two standalone pages through Chromium (Playwright), offline:
- "site": the script served from _static/ in the page's head, as the built book does, AND the
  notebook's output with its inlined copy (as the book page holds it);
- "notebook": the inlined copy only, as in Jupyter or Colab.
In both, choosing another head and clicking another token change the weights shown, and the
console stays clean. tests/test_site.py repeats the interaction on the built page.
A third page imitates the site's light and dark themes (pydata-sphinx-theme's data-theme on
<html>): every token's text must stay readable on its shaded background in both, also after the
theme is switched on the open page, and a legend must say what the shading means.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import threading
from pathlib import Path

import pytest
import torch

from attnlab.headview import head_view_html
from attnlab.paths import static_file

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
TOKENS = ["[CLS]", "the", "animal", "was", "tired", "</script>", "[SEP]"]


def _need_chromium() -> None:
    """Skip a browser test without Chromium, locally; in CI (the environment variable CI is set)
    a missing Chromium fails the test, so that the browser checks cannot silently not run."""
    if CHROMIUM.exists():
        return
    message = f"Chromium not found at {CHROMIUM} (set CHROMIUM=/path/to/chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI is set, so the browser tests must run: install Chromium there", pytrace=False)
    pytest.skip(message)


def _weights(layers=2, heads=3, n=len(TOKENS)):
    generator = torch.Generator().manual_seed(0)  # a fixed test input, not a notebook draw
    return torch.softmax(torch.randn(layers, heads, n, n, generator=generator) * 3, dim=-1)


def test_html_holds_the_data_and_the_script():
    weights = _weights()
    page = head_view_html(TOKENS, weights, layer=1, head=2, query=3)
    payload = re.search(r'<script type="application/json" class="attnlab-head-view-data">(.*?)</script>',
                        page, re.S).group(1)
    data = json.loads(payload)  # JSON reads "<\\/" as "</"
    assert data["tokens"] == TOKENS and (data["layer"], data["head"], data["query"]) == (1, 2, 3)
    torch.testing.assert_close(torch.tensor(data["weights"], dtype=torch.float64), weights.double(), rtol=0, atol=5e-4)
    assert static_file("head-view.js").read_text(encoding="utf-8") in page
    assert head_view_html(TOKENS, weights, inline_script=False).count("<script") == 1  # the data only


@pytest.mark.parametrize("kwargs, match", [
    ({"weights": torch.ones(2, 3, 4, 4)}, "n = len\\(tokens\\)"),
    ({"weights": torch.ones(3, 7, 7)}, "weights"),
    ({"layer": 2}, "layer must be an int in \\[0, 2\\)"),
    ({"query": -1}, "query"),
])
def test_bad_input_is_named(kwargs, match):
    arguments = {"tokens": TOKENS, "weights": _weights()} | kwargs
    with pytest.raises((ValueError, TypeError), match=match):
        head_view_html(**arguments)


SITE_HEAD = '<script src="_static/head-view.js"></script>'


def _page(served: bool) -> str:
    body = head_view_html(TOKENS, _weights(), layer=0, head=0, query=2)
    head = SITE_HEAD if served else ""
    return f"<!doctype html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>"


# The two themes as pydata-sphinx-theme paints them: its text and background colours.
THEMES = {"light": ("#222832", "#ffffff"), "dark": ("#ced6dd", "#121212")}


def _themed_page() -> str:
    css = "".join(f'html[data-theme="{name}"] body{{color:{text};background:{background}}}'
                  for name, (text, background) in THEMES.items())
    body = head_view_html(TOKENS, _weights(), layer=0, head=0, query=2)
    return (f"<!doctype html><html data-theme='dark'><head><meta charset='utf-8'><style>{css}</style>"
            f"</head><body>{body}</body></html>")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("headview")
    (root / "_static").mkdir()
    shutil.copy(static_file("head-view.js"), root / "_static" / "head-view.js")
    (root / "site.html").write_text(_page(served=True), encoding="utf-8")
    (root / "notebook.html").write_text(_page(served=False), encoding="utf-8")
    (root / "themed.html").write_text(_themed_page(), encoding="utf-8")
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def shown_weights(page) -> list[str]:
    """The weights the widget shows now, one per token (what a reader sees under each token)."""
    return page.eval_on_selector_all(".attnlab-head-view .attnlab-hv-token", "cs => cs.map(c => c.dataset.weight)")


def exercise_head_view(page) -> None:
    """Change the head, then click another token: each must change the weights shown. Shared with
    tests/test_site.py, which runs it on the built chapter page."""
    page.wait_for_selector(".attnlab-head-view[data-ready=true]", timeout=10_000)
    assert page.locator(".attnlab-head-view").first.get_attribute("data-error") is None
    before = shown_weights(page)
    assert len(before) > 2 and all(before)
    page.locator(".attnlab-head-view select.attnlab-hv-head").first.select_option("1")
    after_head = shown_weights(page)
    assert after_head != before, "choosing another head did not change the weights shown"
    page.locator(".attnlab-head-view .attnlab-hv-token").nth(1).click()
    page.mouse.move(0, 0)  # leave the token: the clicked query stays chosen
    after_click = shown_weights(page)
    assert after_click != after_head, "clicking another token did not change the weights shown"
    page.locator(".attnlab-head-view .attnlab-hv-token").nth(3).hover()
    assert shown_weights(page) != after_click, "hovering over a token did not preview its weights"


@pytest.mark.parametrize("name", ["site", "notebook"])
def test_head_view_in_a_browser(served, name):
    _need_chromium()
    from playwright.sync_api import sync_playwright
    errors = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(served) else r.abort())
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{served}/{name}.html", wait_until="load")
        exercise_head_view(page)
        source = page.evaluate("() => window.attnlabHeadView.source")
        assert source.endswith("_static/head-view.js") if name == "site" else source == "inline"
        assert page.locator(".attnlab-hv-noscript").first.is_hidden()
        browser.close()
    assert not errors, errors


def _channel(value: float) -> float:
    value /= 255
    return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4


def _luminance(rgb) -> float:
    r, g, b = (_channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _rgba(text: str) -> tuple[float, ...]:
    parts = [float(p) for p in re.findall(r"[\d.]+", text)]
    return tuple(parts[:3]) + ((parts[3],) if len(parts) > 3 else (1.0,))


def _contrasts(page, background_hex: str) -> list[float]:
    """WCAG contrast of each token's text with its background, the token's translucent shading
    laid over the page's background."""
    page_rgb = tuple(int(background_hex[i:i + 2], 16) for i in (1, 3, 5))
    styles = page.eval_on_selector_all(
        ".attnlab-head-view .attnlab-hv-token",
        "cs => cs.map(c => [getComputedStyle(c).color, getComputedStyle(c).backgroundColor])")
    ratios = []
    for color, background in styles:
        text, (r, g, b, a) = _rgba(color)[:3], _rgba(background)
        shaded = tuple(a * top + (1 - a) * bottom for top, bottom in zip((r, g, b), page_rgb))
        high, low = sorted((_luminance(text), _luminance(shaded)), reverse=True)
        ratios.append((high + 0.05) / (low + 0.05))
    return ratios


def test_head_view_is_readable_in_both_themes(served):
    _need_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(served) else r.abort())
        page.goto(f"{served}/themed.html", wait_until="load")
        page.wait_for_selector(".attnlab-head-view[data-ready=true]", timeout=10_000)
        legend = page.locator(".attnlab-head-view .attnlab-hv-legend").first.inner_text()
        assert "weight" in legend and "0" in legend and "1" in legend, legend
        for theme in ("dark", "light", "dark"):               # switched on the open page
            page.evaluate(f"() => document.documentElement.setAttribute('data-theme', '{theme}')")
            page.wait_for_timeout(100)
            for head in ("0", "1", "2"):                       # weights from 0 to near 1
                page.locator(".attnlab-head-view select.attnlab-hv-head").first.select_option(head)
                ratios = _contrasts(page, THEMES[theme][1])
                assert min(ratios) >= 4.5, (theme, head, [round(r, 2) for r in ratios])
            text = page.eval_on_selector(".attnlab-hv-readout", "e => getComputedStyle(e).color")
            assert _luminance(_rgba(text)[:3]) == pytest.approx(
                _luminance(tuple(int(THEMES[theme][0][i:i + 2], 16) for i in (1, 3, 5))), abs=1e-3)
        browser.close()

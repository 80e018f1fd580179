/* The head view of chapter 7 ("A real pretrained model"): choose a layer and a head, then hover
 * over or click a token to see how much weight it gives to every token of the sentence.
 *
 * One source file, used two ways:
 * - in the built book, Jupyter Book serves it from _static/ and loads it on every page;
 * - in Jupyter or Colab, attnlab.headview inlines this same text into the notebook's output.
 * When both happen (the book page also holds the notebook's output), the first copy defines
 * window.attnlabHeadView and the second only asks it to set up any new widget.
 *
 * A widget is <div class="attnlab-head-view"> holding <script type="application/json"
 * class="attnlab-head-view-data"> with {"tokens": [...], "weights": [layer][head][query][key],
 * "layer": l, "head": h, "query": q}. No network, no dependency.
 *
 * Colours: a token's shading is the weight the query gives it, drawn as the opacity of one
 * colour over whatever the page's background is: viridis' dark purple on a light page, its
 * yellow on a dark one, so that more weight always stands out more; a legend under the
 * tokens says so. Each token's text is black or white, whichever contrasts more with
 * its shaded background as measured on the page; the rest of the widget inherits the page's
 * text colour. When the site's theme changes (pydata-sphinx-theme sets data-theme="dark" or
 * "light" on <html>), every widget is drawn again.
 */
(function () {
  "use strict";
  if (window.attnlabHeadView) {
    window.attnlabHeadView.initAll();
    return;
  }
  var source = (document.currentScript && document.currentScript.src) || "inline";
  var PURPLE = [68, 1, 84];      // viridis' darkest colour: weight 1 on a light page
  var YELLOW = [253, 231, 37];   // viridis' lightest colour: weight 1 on a dark page
  var redraws = [];              // one per widget, run again when the theme changes

  function parseColor(text) {   // "rgb(r, g, b)" or "rgba(r, g, b, a)" -> [r, g, b, a]
    var match = /rgba?\(([^)]+)\)/.exec(text || "");
    if (!match) return null;
    var parts = match[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [parts[0], parts[1], parts[2], parts.length > 3 ? parts[3] : 1];
  }

  function blend(top, alpha, bottom) {
    return [0, 1, 2].map(function (i) { return alpha * top[i] + (1 - alpha) * bottom[i]; });
  }

  function pageBackground(node) {
    // the colour a transparent element shows: the first opaque background above it, with any
    // translucent ones in between laid over it; white if the page sets none
    var layers = [];
    for (var el = node; el && el.nodeType === 1; el = el.parentElement) {
      var color = parseColor(getComputedStyle(el).backgroundColor);
      if (color && color[3] > 0) {
        layers.push(color);
        if (color[3] >= 1) break;
      }
    }
    var result = [255, 255, 255];
    for (var i = layers.length - 1; i >= 0; i--) result = blend(layers[i], layers[i][3], result);
    return result;
  }

  function luminance(rgb) {     // WCAG relative luminance
    var c = rgb.map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }

  function shadeFor(page) {      // the colour of weight 1: the one that stands out on this page
    return luminance(page) < 0.2 ? YELLOW : PURPLE;
  }

  function ink(background) {    // black or white text, whichever contrasts more
    var l = luminance(background);
    return (1.05 / (l + 0.05)) > ((l + 0.05) / 0.05) ? "#fff" : "#000";
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function select(label, count, value, name) {
    var wrapper = element("label", { "class": "attnlab-hv-control" }, label + " ");
    var menu = element("select", { "class": "attnlab-hv-" + name, "aria-label": label });
    for (var i = 0; i < count; i++) {
      var option = element("option", { value: String(i) }, String(i));
      if (i === value) option.selected = true;
      menu.appendChild(option);
    }
    wrapper.appendChild(menu);
    return { wrapper: wrapper, menu: menu };
  }

  function init(root) {
    if (root.getAttribute("data-ready") === "true") return;
    var holder = root.querySelector("script.attnlab-head-view-data");
    if (!holder) return;
    var data = JSON.parse(holder.textContent);
    var tokens = data.tokens, weights = data.weights;
    var state = { layer: data.layer || 0, head: data.head || 0, query: data.query || 0, preview: null };
    var controls = element("div", { "class": "attnlab-hv-controls" });
    var layerMenu = select("layer", weights.length, state.layer, "layer");
    var headMenu = select("head", weights[0].length, state.head, "head");
    controls.appendChild(layerMenu.wrapper);
    controls.appendChild(headMenu.wrapper);
    var row = element("div", { "class": "attnlab-hv-tokens", role: "group", "aria-label": "tokens" });
    var readout = element("p", { "class": "attnlab-hv-readout", "aria-live": "polite" });
    var legend = element("div", { "class": "attnlab-hv-legend" });
    legend.appendChild(element("span", {}, "weight 0"));
    var scale = element("span", { "class": "attnlab-hv-scale", "aria-hidden": "true" });
    legend.appendChild(scale);
    legend.appendChild(element("span", {}, "1"));
    legend.appendChild(element("span", { "class": "attnlab-hv-legend-text" },
      "The shading of each token, and the number under it, is the weight the query (outlined) " +
      "gives that token; a query's weights sum to 1. Hover over a token to make it the query, " +
      "click to keep it."));
    var cells = tokens.map(function (token, index) {
      var cell = element("button", { type: "button", "class": "attnlab-hv-token", "data-index": String(index) });
      cell.appendChild(element("span", { "class": "attnlab-hv-text" }, token));
      cell.appendChild(element("span", { "class": "attnlab-hv-weight" }, ""));
      cell.addEventListener("click", function () { state.query = index; state.preview = null; draw(); });
      cell.addEventListener("mouseenter", function () { state.preview = index; draw(); });
      cell.addEventListener("mouseleave", function () { state.preview = null; draw(); });
      cell.addEventListener("focus", function () { state.preview = index; draw(); });
      cell.addEventListener("blur", function () { state.preview = null; draw(); });
      row.appendChild(cell);
      return cell;
    });

    function draw() {
      var query = state.preview === null ? state.query : state.preview;
      var row = weights[state.layer][state.head][query];
      var best = 0;
      var page = pageBackground(root);
      var shade = shadeFor(page);
      scale.style.background = "linear-gradient(to right, rgba(" + shade.join(", ") + ", 0), rgb(" +
        shade.join(", ") + "))";
      cells.forEach(function (cell, key) {
        var weight = row[key];
        var alpha = Math.max(0, Math.min(1, weight));
        if (weight > row[best]) best = key;
        cell.setAttribute("data-weight", weight.toFixed(3));
        cell.setAttribute("title", "weight from '" + tokens[query] + "' to '" + tokens[key] + "': " + weight.toFixed(3));
        cell.style.background = "rgba(" + shade.join(", ") + ", " + alpha.toFixed(3) + ")";
        cell.style.color = ink(blend(shade, Number(alpha.toFixed(3)), page));
        cell.style.outline = key === query ? "2px solid #f59e0b" : "none";
        cell.querySelector(".attnlab-hv-weight").textContent = weight.toFixed(2);
      });
      readout.textContent = "Layer " + state.layer + ", head " + state.head + ": query '" + tokens[query] +
        "' gives most weight (" + row[best].toFixed(2) + ") to '" + tokens[best] + "'.";
    }

    layerMenu.menu.addEventListener("change", function () { state.layer = Number(layerMenu.menu.value); draw(); });
    headMenu.menu.addEventListener("change", function () { state.head = Number(headMenu.menu.value); draw(); });
    root.appendChild(controls);
    root.appendChild(row);
    root.appendChild(legend);
    root.appendChild(readout);
    var fallback = root.querySelector(".attnlab-hv-noscript");
    if (fallback) fallback.style.display = "none";
    draw();
    redraws.push(draw);
    root.setAttribute("data-ready", "true");
  }

  function addStyle() {
    if (document.getElementById("attnlab-head-view-style")) return;
    var style = element("style", { id: "attnlab-head-view-style" });
    style.textContent =
      ".attnlab-head-view{font-family:system-ui,sans-serif;margin:0.5em 0}" +
      ".attnlab-hv-controls{display:flex;gap:1em;margin-bottom:0.5em}" +
      ".attnlab-hv-tokens{display:flex;flex-wrap:wrap;gap:3px}" +
      ".attnlab-hv-token{display:inline-flex;flex-direction:column;align-items:center;border:1px solid #ccc;" +
      "border-radius:4px;padding:2px 5px;cursor:pointer;font:inherit}" +
      ".attnlab-hv-weight{font-size:0.7em;opacity:0.85}" +
      ".attnlab-hv-legend{display:flex;flex-wrap:wrap;align-items:center;gap:0.4em;" +
      "margin:0.5em 0 0 0;font-size:0.85em}" +
      ".attnlab-hv-scale{display:inline-block;width:8em;height:0.9em;border:1px solid #999;" +
      "border-radius:2px}" +
      ".attnlab-hv-legend-text{flex-basis:100%}" +
      ".attnlab-hv-readout{margin:0.4em 0 0 0;font-size:0.9em}";
    (document.head || document.documentElement).appendChild(style);
  }

  function initAll() {
    var roots = document.querySelectorAll("div.attnlab-head-view");
    if (roots.length) addStyle();
    for (var i = 0; i < roots.length; i++) {
      try { init(roots[i]); } catch (error) { roots[i].setAttribute("data-error", String(error)); }
    }
  }

  function redrawAll() {
    redraws.forEach(function (draw) { draw(); });
  }

  // the site's theme switch sets data-theme on <html>: draw again on the new background
  if (window.MutationObserver) {
    new MutationObserver(function () {
      redrawAll();
      setTimeout(redrawAll, 400);  // again, after any transition of the page's background
    }).observe(document.documentElement,
      { attributes: true, attributeFilter: ["data-theme", "class"] });
  }

  window.attnlabHeadView = { initAll: initAll, redrawAll: redrawAll, source: source };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();

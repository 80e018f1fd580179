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
 */
(function () {
  "use strict";
  if (window.attnlabHeadView) {
    window.attnlabHeadView.initAll();
    return;
  }
  var source = (document.currentScript && document.currentScript.src) || "inline";

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
      cells.forEach(function (cell, key) {
        var weight = row[key];
        if (weight > row[best]) best = key;
        cell.setAttribute("data-weight", weight.toFixed(3));
        cell.setAttribute("title", "weight from '" + tokens[query] + "' to '" + tokens[key] + "': " + weight.toFixed(3));
        cell.style.background = "rgba(68, 1, 84, " + Math.min(1, weight).toFixed(3) + ")";
        cell.style.color = weight > 0.45 ? "#fff" : "#111";
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
    root.appendChild(readout);
    var fallback = root.querySelector(".attnlab-hv-noscript");
    if (fallback) fallback.style.display = "none";
    draw();
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

  window.attnlabHeadView = { initAll: initAll, source: source };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", initAll);
  else initAll();
})();

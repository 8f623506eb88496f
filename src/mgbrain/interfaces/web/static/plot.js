/* mgbrain's small SVG charts: lines with optional bands, a legend that toggles series (buttons,
   keyboard-accessible) and a readout of the values under the pointer. No dependencies. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var COLOURS = ["#0b5cad", "#8c959f", "#c2410c", "#1a7f37", "#7c3aed", "#a40e26", "#0e7490"];

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) { e.setAttribute(k, attrs[k]); } }
    if (parent) { parent.appendChild(e); }
    return e;
  }

  function ticks(lo, hi, n) {
    var span = hi - lo || 1, step = Math.pow(10, Math.floor(Math.log10(span / n)));
    var err = span / n / step;
    step *= err >= 7.5 ? 10 : err >= 3.5 ? 5 : err >= 1.5 ? 2 : 1;
    var out = [];
    for (var v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) { out.push(+v.toPrecision(12)); }
    return out;
  }

  function fmt(v) { return Math.abs(v) >= 1000 ? v.toFixed(0) : String(parseFloat(v.toPrecision(4))); }

  /* spec: {title, xlabel, ylabel, series: [{name, x: [], y: [], lo?: [], hi?: []}]} */
  function lineChart(container, spec) {
    var box = document.createElement("div");
    box.className = "chart";
    var h = document.createElement("h3");
    h.textContent = spec.title;
    box.appendChild(h);
    var W = 560, H = 300, L = 58, R = 12, T = 10, B = 42;
    var svg = el("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": spec.title + ": " + spec.ylabel + " against " + spec.xlabel});
    box.appendChild(svg);
    var readout = document.createElement("div");
    readout.className = "readout";
    readout.setAttribute("aria-live", "polite");
    var legend = document.createElement("div");
    legend.className = "legend";
    box.appendChild(legend);
    box.appendChild(readout);
    container.appendChild(box);
    var visible = spec.series.map(function () { return true; });

    function draw() {
      while (svg.firstChild) { svg.removeChild(svg.firstChild); }
      var xs = [], ys = [];
      spec.series.forEach(function (s, i) {
        if (!visible[i]) { return; }
        xs = xs.concat(s.x);
        ys = ys.concat(s.y.filter(function (v) { return v !== null; }));
        if (s.lo) { ys = ys.concat(s.lo, s.hi); }
      });
      if (!xs.length) { xs = [0, 1]; ys = [0, 1]; }
      var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
      var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
      var pad = (y1 - y0) * 0.08 || Math.abs(y0) * 0.05 || 0.1;
      y0 -= pad; y1 += pad;
      function sx(v) { return L + (v - x0) / ((x1 - x0) || 1) * (W - L - R); }
      function sy(v) { return T + (1 - (v - y0) / ((y1 - y0) || 1)) * (H - T - B); }
      ticks(y0, y1, 5).forEach(function (v) {
        el("line", {x1: L, x2: W - R, y1: sy(v), y2: sy(v), stroke: "#eaeef2"}, svg);
        el("text", {x: L - 6, y: sy(v) + 4, "text-anchor": "end", "font-size": 11, fill: "#57606a"}, svg).textContent = fmt(v);
      });
      ticks(x0, x1, 6).forEach(function (v) {
        el("text", {x: sx(v), y: H - B + 16, "text-anchor": "middle", "font-size": 11, fill: "#57606a"}, svg).textContent = fmt(v);
      });
      el("line", {x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: "#57606a"}, svg);
      el("line", {x1: L, x2: L, y1: T, y2: H - B, stroke: "#57606a"}, svg);
      el("text", {x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle", "font-size": 12}, svg).textContent = spec.xlabel;
      el("text", {x: 14, y: (T + H - B) / 2, "text-anchor": "middle", "font-size": 12,
        transform: "rotate(-90 14 " + (T + H - B) / 2 + ")"}, svg).textContent = spec.ylabel;
      spec.series.forEach(function (s, i) {
        if (!visible[i]) { return; }
        var c = s.colour || COLOURS[i % COLOURS.length];
        if (s.lo) {
          var up = s.x.map(function (x, k) { return sx(x) + "," + sy(s.hi[k]); });
          var down = s.x.map(function (x, k) { return sx(x) + "," + sy(s.lo[k]); }).reverse();
          el("polygon", {points: up.concat(down).join(" "), fill: c, "fill-opacity": 0.15, stroke: "none"}, svg);
        }
        var pts = s.x.map(function (x, k) { return s.y[k] === null ? null : sx(x) + "," + sy(s.y[k]); })
          .filter(function (p) { return p !== null; });
        el("polyline", {points: pts.join(" "), fill: "none", stroke: c, "stroke-width": 2,
          "stroke-dasharray": s.dashed ? "5 4" : "none"}, svg);
      });
      var cursor = el("line", {x1: -10, x2: -10, y1: T, y2: H - B, stroke: "#57606a", "stroke-dasharray": "2 3"}, svg);
      var hit = el("rect", {x: L, y: T, width: W - L - R, height: H - T - B, fill: "transparent"}, svg);
      hit.addEventListener("mousemove", function (ev) {
        var r = svg.getBoundingClientRect(), px = (ev.clientX - r.left) / r.width * W;
        var xv = x0 + (px - L) / (W - L - R) * (x1 - x0);
        cursor.setAttribute("x1", px); cursor.setAttribute("x2", px);
        var parts = [spec.xlabel + " " + fmt(xv)];
        spec.series.forEach(function (s, i) {
          if (!visible[i] || !s.x.length) { return; }
          var k = 0, best = Infinity;
          s.x.forEach(function (x, j) { var d = Math.abs(x - xv); if (d < best) { best = d; k = j; } });
          if (s.y[k] !== null) { parts.push(s.name + ": " + fmt(s.y[k])); }
        });
        readout.textContent = parts.join(" | ");
      });
      hit.addEventListener("mouseleave", function () { cursor.setAttribute("x1", -10); cursor.setAttribute("x2", -10); });
    }

    spec.series.forEach(function (s, i) {
      var b = document.createElement("button");
      b.type = "button";
      b.setAttribute("aria-pressed", "true");
      var sw = document.createElement("span");
      sw.className = "swatch";
      sw.style.background = s.colour || COLOURS[i % COLOURS.length];
      b.appendChild(sw);
      b.appendChild(document.createTextNode(s.name));
      b.addEventListener("click", function () {
        visible[i] = !visible[i];
        b.setAttribute("aria-pressed", visible[i] ? "true" : "false");
        draw();
      });
      legend.appendChild(b);
    });
    draw();
    return box;
  }

  /* one value with its interval against a shaded range: the planner's serum band */
  function rangeBar(container, value, lo, hi, normalLo, normalHi) {
    var W = 560, H = 70, L = 20, R = 20;
    var all = [value, normalLo, normalHi].concat(isFinite(lo) ? [lo, hi] : []);
    var x0 = Math.min.apply(null, all) * 0.9, x1 = Math.max.apply(null, all) * 1.1;
    function sx(v) { return L + (v - x0) / (x1 - x0) * (W - L - R); }
    var svg = el("svg", {viewBox: "0 0 " + W + " " + H, role: "img",
      "aria-label": "predicted " + fmt(value) + " mmol/L; normal range " + normalLo + " to " + normalHi});
    el("rect", {x: sx(normalLo), y: 10, width: sx(normalHi) - sx(normalLo), height: 30, fill: "#d7f5dd"}, svg);
    if (isFinite(lo)) { el("line", {x1: sx(lo), x2: sx(hi), y1: 25, y2: 25, stroke: "#0b5cad", "stroke-width": 6}, svg); }
    el("circle", {cx: sx(value), cy: 25, r: 7, fill: "#0d2b45"}, svg);
    ticks(x0, x1, 6).forEach(function (v) {
      el("text", {x: sx(v), y: 60, "text-anchor": "middle", "font-size": 11, fill: "#57606a"}, svg).textContent = fmt(v);
    });
    container.insertBefore(svg, container.firstChild);
  }

  /* expected effects with intervals, one row each (the trial page) */
  function forest(container, rows) {
    rows = rows.filter(function (r) { return r.effect; });
    if (!rows.length) { return; }
    var W = 560, row = 30, T = 10, H = T + rows.length * row + 30, L = 210, R = 20;
    var vals = [0];
    rows.forEach(function (r) { vals.push(r.new_trial.lower, r.new_trial.upper); });
    var x0 = Math.min.apply(null, vals), x1 = Math.max.apply(null, vals);
    function sx(v) { return L + (v - x0) / ((x1 - x0) || 1) * (W - L - R); }
    var svg = el("svg", {viewBox: "0 0 " + W + " " + H, role: "img", "aria-label": "expected effects with intervals"});
    el("line", {x1: sx(0), x2: sx(0), y1: T, y2: H - 28, stroke: "#57606a", "stroke-dasharray": "3 3"}, svg);
    rows.forEach(function (r, i) {
      var y = T + i * row + row / 2;
      el("text", {x: L - 8, y: y + 4, "text-anchor": "end", "font-size": 12}, svg).textContent = r.arm + ": " + r.endpoint.replace(/_/g, " ");
      el("line", {x1: sx(r.new_trial.lower), x2: sx(r.new_trial.upper), y1: y, y2: y, stroke: "#8c959f", "stroke-width": 2}, svg);
      el("line", {x1: sx(r.effect.lower), x2: sx(r.effect.upper), y1: y, y2: y, stroke: "#0b5cad", "stroke-width": 6}, svg);
      el("circle", {cx: sx(r.effect.median), cy: y, r: 5, fill: "#0d2b45"}, svg);
    });
    ticks(x0, x1, 6).forEach(function (v) {
      el("text", {x: sx(v), y: H - 12, "text-anchor": "middle", "font-size": 11, fill: "#57606a"}, svg).textContent = fmt(v);
    });
    container.insertBefore(svg, container.firstChild);
  }

  window.mgbrainPlot = {lineChart: lineChart, rangeBar: rangeBar, forest: forest};
}());

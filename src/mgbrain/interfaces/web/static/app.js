/* Progressive behaviour: job progress without reloading, the plots, the serum band, print. */
(function () {
  "use strict";

  function simulatePlots(root, r) {
    var P = window.mgbrainPlot, reg = r.series.regimen, ctl = r.series["no supplement"];
    function days(t) { return t.map(function (h) { return h / 24; }); }
    [["serum_mmol_per_l", "Serum total Mg", "mmol/L"], ["ionized_mmol_per_l", "Serum ionized Mg", "mmol/L"],
     ["csf_mmol_per_l", "CSF Mg", "mmol/L"]].forEach(function (q) {
      P.lineChart(root, {title: q[1], xlabel: "day", ylabel: q[2], series: [
        {name: r.regimen, x: days(reg.time_h), y: reg[q[0]]},
        {name: "no supplement", x: days(ctl.time_h), y: ctl[q[0]], dashed: true}]});
    });
    P.lineChart(root, {title: "Urinary Mg per day", xlabel: "day", ylabel: "mg/24 h", series: [
      {name: r.regimen, x: reg.day, y: reg.urine_mg_per_24h},
      {name: "no supplement", x: ctl.day, y: ctl.urine_mg_per_24h, dashed: true}]});
  }

  function comparePlots(root, r) {
    var P = window.mgbrainPlot, forms = Object.keys(r.courses);
    if (!forms.length) { return; }
    Object.keys(r.courses[forms[0]]).forEach(function (q) {
      var series = forms.map(function (f) {
        var c = r.courses[f][q];
        var x = c[1].map(function (_, k) { return k + 1; });
        return {name: f, x: x, y: c[1], lo: c[0], hi: c[2]};
      });
      P.lineChart(root, {title: r.quantities[q] || q, xlabel: "week", ylabel: "median, 90% band", series: series});
    });
  }

  function trialPlots(root, r) {
    var P = window.mgbrainPlot, series = [];
    r.endpoints.forEach(function (e) {
      if (e.status !== "analysed") { return; }
      e.arms.forEach(function (a) {
        Object.keys(a.power).forEach(function (kind) {
          var c = a.power[kind];
          series.push({name: e.label + ", " + a.arm + " (" + kind + ")", dashed: kind !== "conditional",
            x: c.map(function (p) { return p.n; }), y: c.map(function (p) { return p.power; })});
        });
      });
    });
    if (series.length) { P.lineChart(root, {title: "Power curve", xlabel: "subjects per arm", ylabel: "power", series: series}); }
  }

  function showResult(section, job) {
    var root = document.getElementById("plots");
    if (!root || !job.result || !window.mgbrainPlot) { return; }
    if (job.kind === "simulate") { simulatePlots(root, job.result); }
    if (job.kind === "compare") { comparePlots(root, job.result); }
    if (job.kind === "trial") { trialPlots(root, job.result); }
  }

  function poll(section) {
    var id = section.getAttribute("data-job");
    fetch("/api/jobs/" + encodeURIComponent(id), {headers: {accept: "application/json"}})
      .then(function (res) { return res.json(); })
      .then(function (job) {
        var bar = section.querySelector(".job-progress");
        if (bar) { bar.value = job.progress; bar.textContent = Math.round(job.progress * 100) + "%"; }
        section.querySelector(".job-message").textContent = job.message;
        section.querySelector(".job-state").textContent = job.state;
        if (job.state === "queued" || job.state === "running") { setTimeout(function () { poll(section); }, 700); }
        else { window.location.reload(); }
      })
      .catch(function () { setTimeout(function () { poll(section); }, 2000); });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var section = document.querySelector(".job[data-job]");
    if (section) {
      var state = section.getAttribute("data-state");
      if (state === "queued" || state === "running") { poll(section); }
      else if (state === "done") {
        fetch("/api/jobs/" + encodeURIComponent(section.getAttribute("data-job")))
          .then(function (res) { return res.json(); }).then(function (job) { showResult(section, job); });
      }
    }
    var band = document.querySelector(".serum-band");
    if (band && window.mgbrainPlot) {
      var n = function (k) { var v = band.getAttribute(k); return v === "" || v === null ? NaN : parseFloat(v); };
      window.mgbrainPlot.rangeBar(band, n("data-value"), n("data-low"), n("data-high"), n("data-normal-low"), n("data-normal-high"));
    }
    var forest = document.querySelector(".forest[data-effects]");
    if (forest && window.mgbrainPlot) { window.mgbrainPlot.forest(forest, JSON.parse(forest.getAttribute("data-effects"))); }
    var printButton = document.querySelector(".print-button");
    if (printButton) { printButton.hidden = false; printButton.addEventListener("click", function () { window.print(); }); }
  });
}());

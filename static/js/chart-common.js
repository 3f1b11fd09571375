/* What the dashboard's trend charts and the EX + CX chart share (loaded before either):
   reading json_script data, a value with its unit, axis bounds that stop at what a metric can
   be, and period labels counted back from the latest. */
window.AXCharts = (function () {
  "use strict";

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function withUnit(value, unit) {
    var text = value.toFixed(1);
    return unit ? text + " " + unit : text;
  }

  // Which period labels fit under the axis: every `step`-th counted back from the latest, so
  // the latest period is always named (Chart.js's own skipping counts from the first).
  // The axis stops at a bound the metric cannot pass (NPS 100, a share's 0 %) instead of
  // rounding past it to an impossible tick; elsewhere it keeps a little room.
  function axisBounds(values, range) {
    var known = values.filter(function (v) { return v !== null && v !== undefined; });
    if (!known.length || !range) { return {}; }
    var top = Math.max.apply(null, known), bottom = Math.min.apply(null, known);
    var pad = (top - bottom || Math.abs(top) || 1) * 0.1;
    var out = {};
    if (range[1] !== null && top + pad >= range[1]) { out.max = range[1]; }
    if (range[0] !== null && bottom - pad <= range[0]) { out.min = range[0]; }
    return out;
  }

  function periodTicks() {
    return {
      maxRotation: 0,
      autoSkip: false,
      callback: function (value, index, ticks) {
        var labels = this.chart.data.labels;
        var ctx = this.ctx;
        ctx.save();
        ctx.font = Chart.helpers.toFont(this.options.ticks.font).string;
        var widest = labels.reduce(function (w, l) { return Math.max(w, ctx.measureText(l).width); }, 0);
        ctx.restore();
        var room = (this.width || this.chart.width) / Math.max(ticks.length, 1);
        var step = Math.max(1, Math.ceil((widest + 14) / room));
        return (ticks.length - 1 - index) % step === 0 ? labels[index] : "";
      },
    };
  }

  return { readJson: readJson, withUnit: withUnit, axisBounds: axisBounds, periodTicks: periodTicks };
})();

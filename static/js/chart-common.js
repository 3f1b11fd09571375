/* What the dashboard's trend charts, the EX + CX chart and the journey's emotion curve share
   (loaded after Chart.js, before them): reading json_script data, a number and a value with its
   unit in the page's language, axis bounds that stop at what a metric can be, and period labels
   counted back from the latest. */
window.AXCharts = (function () {
  "use strict";

  // The page's language (<html lang>): numbers are written as the server's display layer writes
  // them there: "66.7 %" in English, "66.7%" in Korean, "%66,7" in Turkish; thousands grouped
  // as measurements/display.local_number groups them ("2,433.5 USD", tr "2.433,5 USD"), also a
  // four-digit number ("always": no locale's minimum grouping digits).
  var lang = document.documentElement.lang || "en-gb";
  var english = /^en(-|$)/i.test(lang);
  if (typeof Chart !== "undefined") { Chart.defaults.locale = lang; }  // tick numbers too

  var formats = {};
  function number(value, digits) {
    digits = digits === undefined ? 1 : digits;
    if (!formats[digits]) {
      formats[digits] = new Intl.NumberFormat(lang, {
        minimumFractionDigits: digits, maximumFractionDigits: digits, useGrouping: "always",
      });
    }
    return formats[digits].format(value);
  }

  // Where this language puts the percent sign, and whether with a space, from Intl's own
  // pattern; English keeps the product's "80.0 %" (Intl's en-GB would write "80.0%").
  var percent = (function () {
    if (english) { return { before: "", after: " %" }; }
    var parts = new Intl.NumberFormat(lang, { style: "percent" }).formatToParts(0.5);
    var at = parts.findIndex(function (p) { return p.type === "integer"; });
    var join = function (list) { return list.map(function (p) { return p.value; }).join(""); };
    return { before: join(parts.slice(0, at)), after: join(parts.slice(at + 1)) };
  })();

  // A number already written in this language ("66,7", a tick's "-20") with its unit.
  function unitText(text, unit) {
    if (!unit) { return text; }
    // As measurements/display.py writes hours: "12.5 h", ko "12.5시간", tr "12,5 sa".
    if (unit === "h") { return interpolate(pgettext("a number of hours", "%(number)s h"), { number: text }, true); }
    if (unit !== "%") { return text + " " + unit; }
    var sign = /^[-\u2212]/.test(text) ? text.charAt(0) : "";
    return sign + percent.before + text.slice(sign.length) + percent.after;
  }

  function withUnit(value, unit) { return unitText(number(value), unit); }

  // An interval as measurements/display.interval_text writes it: the unit once, with the high
  // end, where the language writes it after the number ("30.1 – 95.4 %", ko "30.1 – 95.4%");
  // on both ends where it comes first (tr "%30,1 – %95,4": "30,1" alone reads as a plain number).
  function rangeText(low, high, unit) {
    var highNumber = number(high).replace(/^[-\u2212]/, "");
    var highText = withUnit(high, unit);
    var unitFirst = highText.replace(/^[-\u2212]/, "").indexOf(highNumber) !== 0;
    return (unitFirst ? withUnit(low, unit) : number(low)) + " – " + highText;
  }

  // A y axis's tick callback: Chart.js's own tick numbers (in the page's language) with a unit.
  function unitTicks(unit) {
    return function () {
      return unitText(Chart.Ticks.formatters.numeric.apply(this, arguments), unit);
    };
  }

  // The charts' words come from Django's JavaScript catalogue (/jsi18n/, a deferred script):
  // the chart scripts, which are not deferred, start once it has run.
  function whenReady(start) {
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", start);
    } else {
      start();
    }
  }

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

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

  // Which period labels fit under the axis: every `step`-th counted back from the latest, so
  // the latest period is always named (Chart.js's own skipping counts from the first).
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

  return {
    lang: lang,
    number: number,
    unitText: unitText,
    withUnit: withUnit,
    rangeText: rangeText,
    unitTicks: unitTicks,
    whenReady: whenReady,
    readJson: readJson,
    axisBounds: axisBounds,
    periodTicks: periodTicks,
  };
})();

/* EX + CX chart (Chart.js, vendored): two metrics on one time axis, each on its own y axis
   titled with the metric and its unit. Data (labels, units, titles) comes from
   measurements/charts.py through json_script; no inline script, for the CSP. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }

  var COLOURS = ["#2b59c3", "#b42318"];

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function withUnit(value, unit) {
    var text = value.toFixed(1);
    return unit ? text + " " + unit : text;
  }

  function axis(position, title, colour, unit, ownGrid) {
    return {
      position: position,
      grace: "5%",
      grid: { drawOnChartArea: ownGrid },
      title: { display: true, text: title, color: colour, font: { weight: "600" } },
      ticks: {
        color: colour,
        maxTicksLimit: 6,
        callback: function (value) {
          var text = Chart.Ticks.formatters.numeric.apply(this, arguments);
          return unit ? text + " " + unit : text;
        },
      },
    };
  }

  var data = readJson("compare-chart-data");
  var canvas = document.getElementById("compare-chart");
  if (!data || !canvas) { return; }
  var series = data.series;
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: series.map(function (s, i) {
        return {
          label: s.label,
          data: s.values,
          borderColor: COLOURS[i],
          backgroundColor: COLOURS[i],
          pointRadius: 4,
          pointHoverRadius: 6,
          tension: 0.2,
          clip: false,
          yAxisID: i === 0 ? "y" : "y2",
        };
      }),
    },
    options: {
      animation: false,
      maintainAspectRatio: false,
      layout: { padding: { top: 6 } },
      interaction: { mode: "index", intersect: false },
      plugins: {
        legend: { position: "bottom", labels: { usePointStyle: true, boxWidth: 8, boxHeight: 8 } },
        tooltip: {
          filter: function (item) { return item.raw !== null && item.raw !== undefined; },
          callbacks: {
            label: function (item) {
              var s = series[item.datasetIndex];
              return s.label + ": " + withUnit(item.raw, s.unit);
            },
          },
        },
      },
      scales: {
        x: {
          offset: true,
          title: { display: true, text: data.x_title },
          ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 12 },
          grid: { display: false },
        },
        y: axis("left", series[0].axis_title, COLOURS[0], series[0].unit, true),
        y2: axis("right", series[1].axis_title, COLOURS[1], series[1].unit, false),
      },
    },
  });
  canvas.dataset.rendered = "true";
})();

/* Dashboard charts (Chart.js, vendored). Data arrives through json_script; no inline script. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function trendChart(canvas, series) {
    var datasets = [{
      label: series.label,
      data: series.values,
      borderColor: "#2b59c3",
      backgroundColor: "#2b59c3",
      spanGaps: false,
      tension: 0.2,
    }];
    if (series.target !== null && series.target !== undefined) {
      datasets.push({
        label: "Target",
        data: series.periods.map(function () { return series.target; }),
        borderColor: "#1f7a4d",
        borderDash: [6, 4],
        pointRadius: 0,
        fill: false,
      });
    }
    return new Chart(canvas, {
      type: "line",
      data: { labels: series.periods, datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: datasets.length > 1, labels: { boxWidth: 12 } } },
        scales: { x: { ticks: { maxTicksLimit: 6 } } },
      },
    });
  }

  var charts = readJson("dashboard-charts") || [];
  charts.forEach(function (series) {
    var canvas = document.querySelector('canvas.trend-chart[data-chart-id="' + series.id + '"]');
    if (canvas) {
      trendChart(canvas, series);
      canvas.dataset.rendered = "true";
    }
  });

  var compare = readJson("compare-data");
  var compareCanvas = document.getElementById("compare-chart");
  if (compare && compareCanvas) {
    new Chart(compareCanvas, {
      type: "line",
      data: {
        labels: compare.axis,
        datasets: [
          { label: compare.labels[0], data: compare.first, borderColor: "#2b59c3", yAxisID: "y" },
          { label: compare.labels[1], data: compare.second, borderColor: "#b42318", yAxisID: "y2" },
        ],
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        scales: { y: { position: "left" }, y2: { position: "right", grid: { drawOnChartArea: false } } },
      },
    });
    compareCanvas.dataset.rendered = "true";
  }
})();

/* Audience dashboard trend charts (Chart.js, vendored). Data arrives through json_script
   (measurements/charts.py makes every label and unit); no inline script, for the CSP.

   Per chart: the values as a line; their 95% interval as a shaded band (a lone interval, with
   no neighbour to join, as a whisker); points whose n is below 30 hollow (indicative only), with
   a legend entry that says so; the target as a dashed line across the whole plot, under the
   data, labelled with its unit. The x axis is offset by half a period so a lone point at either end is not cut. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }

  var readJson = window.AXCharts.readJson;
  var withUnit = window.AXCharts.withUnit;
  var axisBounds = window.AXCharts.axisBounds;
  var periodTicks = window.AXCharts.periodTicks;
  var unitTicks = window.AXCharts.unitTicks;
  var rangeText = window.AXCharts.rangeText;
  var number = window.AXCharts.number;

  var BRAND = "#2b59c3";
  var BAND = "rgba(43, 89, 195, 0.16)";
  var WHISKER = "rgba(43, 89, 195, 0.55)";
  var TARGET = "#1f7a4d";

  function present(value) { return value !== null && value !== undefined; }

  function hasInterval(point) { return point && present(point.low) && present(point.high); }

  // Drawn by hand: Chart.js's fill needs two neighbouring points, a target line needs two
  // periods, and both must also show for a series of one period.
  function extras(series) {
    return {
      id: "axExtras",
      beforeDatasetsDraw: function (chart) {
        var meta = chart.getDatasetMeta(0);
        var y = chart.scales.y;
        var ctx = chart.ctx;
        ctx.save();
        ctx.strokeStyle = WHISKER;
        ctx.lineWidth = 2;
        series.points.forEach(function (point, i) {
          var isolated = !hasInterval(series.points[i - 1]) && !hasInterval(series.points[i + 1]);
          if (!hasInterval(point) || !isolated || !meta.data[i]) { return; }
          var x = meta.data[i].x;
          var top = y.getPixelForValue(point.high);
          var bottom = y.getPixelForValue(point.low);
          ctx.beginPath();
          ctx.moveTo(x, top); ctx.lineTo(x, bottom);
          ctx.moveTo(x - 5, top); ctx.lineTo(x + 5, top);
          ctx.moveTo(x - 5, bottom); ctx.lineTo(x + 5, bottom);
          ctx.stroke();
        });
        ctx.restore();
        if (!present(series.target)) { return; }
        // Under the data, so the label never hides a point; at the left, where the latest
        // period (the one people look at) is not.
        var area = chart.chartArea;
        var yPixel = y.getPixelForValue(series.target);
        ctx.save();
        ctx.strokeStyle = TARGET;
        ctx.lineWidth = 1.5;
        ctx.setLineDash([6, 4]);
        ctx.beginPath();
        ctx.moveTo(area.left, yPixel);
        ctx.lineTo(area.right, yPixel);
        ctx.stroke();
        ctx.font = "600 11px system-ui, sans-serif";
        ctx.fillStyle = TARGET;
        ctx.textAlign = "left";
        var above = yPixel - area.top > 16;
        ctx.textBaseline = above ? "bottom" : "top";
        ctx.fillText(series.target_label, area.left + 4, above ? yPixel - 3 : yPixel + 3);
        ctx.restore();
      },
    };
  }

  function trendChart(canvas, series) {
    var points = series.points;
    var unit = series.unit;
    var shown = [];
    points.forEach(function (p) { shown.push(p.value, p.low, p.high); });
    if (present(series.target)) { shown.push(series.target); }
    var anyIndicative = points.some(function (p) { return p.indicative; });
    var filled = function (ctx) {
      var point = points[ctx.dataIndex];
      return point && point.indicative ? "#fff" : BRAND;
    };
    var datasets = [
      {
        label: series.label,
        data: points.map(function (p) { return p.value; }),
        borderColor: BRAND,
        backgroundColor: BRAND,
        pointBackgroundColor: filled,
        pointBorderColor: BRAND,
        pointBorderWidth: 2,
        pointRadius: 4,
        pointHoverRadius: 6,
        pointStyle: "circle",
        spanGaps: false,
        tension: 0,
        clip: false,
        order: 0,
      },
      {
        label: gettext("95% interval, low"),
        data: points.map(function (p) { return p.low; }),
        borderWidth: 0,
        pointRadius: 0,
        pointHitRadius: 0,
        pointHoverRadius: 0,
        fill: false,
        tension: 0,
        order: 2,
        axLegend: false,
      },
      {
        label: gettext("95% interval"),
        data: points.map(function (p) { return p.high; }),
        borderWidth: 0,
        backgroundColor: BAND,
        pointStyle: "rect",
        pointRadius: 0,
        pointHitRadius: 0,
        pointHoverRadius: 0,
        fill: "-1",
        tension: 0,
        order: 2,
        axLegend: points.some(hasInterval),
      },
      {
        label: gettext("Hollow: n < 30, indicative only"),
        data: points.map(function () { return null; }),
        borderColor: BRAND,
        backgroundColor: "#fff",
        pointStyle: "circle",
        borderWidth: 2,
        axLegend: anyIndicative,
      },
    ];
    if (present(series.target)) {
      datasets.push({
        label: series.target_label,
        // Plotted (invisibly) so the y axis always takes the target in; the plugin draws it.
        data: points.map(function () { return series.target; }),
        borderColor: TARGET,
        backgroundColor: TARGET,
        borderDash: [6, 4],
        borderWidth: 1.5,
        pointStyle: "line",
        pointRadius: 0,
        pointHitRadius: 0,
        pointHoverRadius: 0,
        showLine: false,
      });
    }
    var chart = new Chart(canvas, {
      type: "line",
      data: { labels: series.labels, datasets: datasets },
      plugins: [extras(series)],
      options: {
        animation: false,
        maintainAspectRatio: false,
        layout: { padding: { top: 6, right: 6 } },
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: {
            position: "bottom",
            labels: {
              usePointStyle: true,
              boxWidth: 8,
              boxHeight: 8,
              font: { size: 11 },
              filter: function (item, data) { return data.datasets[item.datasetIndex].axLegend !== false; },
            },
            onClick: function () {},  // the legend explains; hiding the band or target helps no one
          },
          tooltip: {
            filter: function (item) { return item.datasetIndex === 0 && present(item.raw); },
            callbacks: {
              title: function (items) { return items.length ? points[items[0].dataIndex].label : ""; },
              label: function (item) {
                return interpolate(gettext("%(series)s: %(value)s"), { series: series.label, value: withUnit(item.raw, unit) }, true);
              },
              afterLabel: function (item) {
                var point = points[item.dataIndex];
                var n = { n: number(point.n, 0) };
                var lines = [point.indicative
                  ? interpolate(gettext("n = %(n)s (indicative only: n < 30)"), n, true)
                  : interpolate(gettext("n = %(n)s"), n, true)];
                if (hasInterval(point)) {
                  lines.push(interpolate(gettext("95% interval %(range)s"), { range: rangeText(point.low, point.high, unit) }, true));
                }
                return lines;
              },
            },
          },
        },
        scales: {
          x: {
            offset: true,
            ticks: periodTicks(),
            grid: { display: false },
          },
          y: Object.assign({
            grace: "5%",
            ticks: {
              maxTicksLimit: 6,
              callback: unitTicks(unit),
            },
          }, axisBounds(shown, series.range)),
        },
      },
    });
    return chart;
  }

  window.AXCharts.whenReady(function () {
    var charts = readJson("dashboard-charts") || [];
    charts.forEach(function (series) {
      var canvas = document.querySelector('canvas.trend-chart[data-chart-id="' + series.id + '"]');
      if (canvas) {
        trendChart(canvas, series);
        canvas.dataset.rendered = "true";
      }
    });
  });
})();

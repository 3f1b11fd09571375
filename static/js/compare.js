/* EX + CX chart (Chart.js, vendored): two metrics on one time axis, each on its own y axis
   titled with the metric and its unit; at a lag the first is drawn that many periods later,
   and a period without a value is a gap in its line. Data (labels, units, titles) comes from
   measurements/charts.py through json_script; no inline script, for the CSP. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }
  window.AXCharts.whenReady(draw);

  function draw() {
    var readJson = window.AXCharts.readJson;
    var withUnit = window.AXCharts.withUnit;
    var axisBounds = window.AXCharts.axisBounds;
    var periodTicks = window.AXCharts.periodTicks;
    var unitTicks = window.AXCharts.unitTicks;

    var COLOURS = ["#2b59c3", "#b42318"];

    function axis(position, s, colour, ownGrid) {
      var unit = s.unit;
      return Object.assign({
        position: position,
        grace: "5%",
        grid: { drawOnChartArea: ownGrid },
        title: { display: true, text: s.axis_title, color: colour, font: { weight: "600" } },
        ticks: {
          color: colour,
          maxTicksLimit: 6,
          callback: unitTicks(unit),
        },
      }, axisBounds(s.values, s.range));
    }

    // An axis title longer than the chart is tall (a phone) goes on two lines, the audience
    // above the metric and its unit, rather than running off the canvas.
    function fitTitle(chart, scaleId, text) {
      var title = chart.options.scales[scaleId].title;
      var ctx = chart.ctx;
      ctx.save();
      ctx.font = Chart.helpers.toFont(Chart.helpers.merge({}, [Chart.defaults.font, title.font])).string;
      var tooLong = ctx.measureText(text).width > chart.height - 40;
      ctx.restore();
      var parts = text.split(" · ");
      title.text = tooLong && parts.length > 1 ? [parts[0] + " ·", parts.slice(1).join(" · ")] : text;
    }

    function fitTitles(chart) {
      fitTitle(chart, "y", series[0].axis_title);
      fitTitle(chart, "y2", series[1].axis_title);
    }

    var data = readJson("compare-chart-data");
    var canvas = document.getElementById("compare-chart");
    if (!data || !canvas) { return; }
    var series = data.series;
    var chart = new Chart(canvas, {
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
            tension: 0,
            clip: false,
            yAxisID: i === 0 ? "y" : "y2",
          };
        }),
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        onResize: function (chart) { fitTitles(chart); },
        layout: { padding: { top: 6 } },
        interaction: { mode: "index", intersect: false },
        plugins: {
          legend: { position: "bottom", labels: { usePointStyle: true, boxWidth: 8, boxHeight: 8 } },
          tooltip: {
            filter: function (item) { return item.raw !== null && item.raw !== undefined; },
            callbacks: {
              // A series drawn at a lag names the period its value is from ("Oct 2025"),
              // which is not the period under the cursor.
              label: function (item) {
                var s = series[item.datasetIndex];
                var from = s.periods ? s.periods[item.dataIndex] : null;
                var value = withUnit(item.raw, s.unit);
                if (from && from !== item.label) {
                  return interpolate(gettext("%(series)s (%(period)s): %(value)s"), { series: s.label, period: from, value: value }, true);
                }
                return interpolate(gettext("%(series)s: %(value)s"), { series: s.label, value: value }, true);
              },
            },
          },
        },
        scales: {
          x: {
            offset: true,
            title: { display: true, text: data.x_title },
            ticks: periodTicks(),
            grid: { display: false },
          },
          y: axis("left", series[0], COLOURS[0], true),
          y2: axis("right", series[1], COLOURS[1], false),
        },
      },
    });
    fitTitles(chart);
    chart.update();
    canvas.dataset.rendered = "true";
  }
})();

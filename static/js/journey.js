/* Journey map: the emotion curve (Chart.js) over the stage columns, drag and drop of stages
 * and touchpoints (SortableJS), and the move buttons saved without leaving the page.
 *
 * The page works without this script: every move button is a POST form and the curve's points
 * are in the table under the map. With it, a drag posts the new order, a move button posts its
 * form, and the map is then read again from the server and swapped in, so the lanes, scores
 * and numbers always show what was stored. Focus stays on the moved item's button, or on its
 * title once that button is disabled (the item reached that end).
 */
(function () {
  "use strict";
  var chart = null;

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(message, isError) {
    var status = document.getElementById("map-status");
    if (!status) return;
    status.textContent = message;
    status.classList.toggle("error", !!isError);
    status.classList.toggle("ok", !isError);
  }

  // --- the emotion curve -------------------------------------------------------------------
  function drawCurve() {
    var canvas = document.getElementById("emotion-curve");
    var data = window.AXCharts && AXCharts.readJson("emotion-curve-data");
    if (!canvas || !data || typeof Chart === "undefined") return;
    if (chart) chart.destroy();
    var points = data.points;
    chart = new Chart(canvas, {
      type: "line",
      data: {
        labels: points.map(function (p) { return p.stage; }),
        datasets: [{
          label: gettext("Emotion (0–100)"),
          data: points.map(function (p) { return p.value; }),
          borderColor: "#2b59c3",
          backgroundColor: "#2b59c3",
          spanGaps: true,
          tension: 0.3,
          // A measured point is filled; an owner's note (no data) is a hollow triangle.
          pointStyle: points.map(function (p) { return p.source === "note" ? "triangle" : "circle"; }),
          pointRadius: points.map(function (p) { return p.source === "note" ? 7 : 5; }),
          pointBackgroundColor: points.map(function (p) { return p.source === "note" ? "#fff" : "#2b59c3"; }),
          segment: {
            borderDash: function (ctx) {
              var a = points[ctx.p0DataIndex], b = points[ctx.p1DataIndex];
              return (a.source !== "scores" || b.source !== "scores") ? [5, 4] : undefined;
            },
          },
        }],
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        layout: { padding: { left: 0, right: 0, top: 8, bottom: 0 } },
        plugins: {
          legend: { display: false },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var p = points[ctx.dataIndex];
                if (p.source === "note") {
                  return interpolate(gettext("No data, owner's note (neutral 50): %(note)s"), { note: p.note }, true);
                }
                return interpolate(gettext("Emotion %(value)s of 100, from the scores"), { value: AXCharts.number(p.value) }, true);
              },
            },
          },
        },
        // The x axis is hidden and offset so each point sits over the middle of its column.
        scales: {
          x: { display: false, offset: true },
          // Tick labels drawn inside the plot, so the axis takes no width from the columns.
          y: { min: 0, max: 100, ticks: { stepSize: 50, mirror: true }, border: { display: false }, grid: { color: "#e3e7ef" } },
        },
      },
    });
  }

  // --- saving an order and reading the map again ---------------------------------------------
  function post(url, body, headers) {
    var all = { "X-CSRFToken": csrfToken(), Accept: "application/json" };
    Object.keys(headers || {}).forEach(function (k) { all[k] = headers[k]; });
    return fetch(url, { method: "POST", body: body, headers: all, credentials: "same-origin" });
  }

  // focusId: the button to focus again; when the move left it disabled (the item reached that
  // end), focus goes to the item's title instead of the opposite button, where a second Enter
  // would move it straight back, and `edge` says why.
  function refresh(focusId, message, fallbackId, edge) {
    return fetch(window.location.href, { credentials: "same-origin" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["map-notes", "journey-map", "curve-table", "emotion-curve-data"].forEach(function (id) {
          var now = document.getElementById(id), next = fresh.getElementById(id);
          if (now && next) now.replaceWith(next);
        });
        var summary = document.querySelector(".map-summary"), nextSummary = fresh.querySelector(".map-summary");
        if (summary && nextSummary) summary.replaceWith(nextSummary);
        setUp();
        if (focusId) {
          var target = document.getElementById(focusId);
          if ((!target || target.disabled) && fallbackId) {
            target = document.getElementById(fallbackId);
            if (message && edge) message += " " + edge;
          }
          if (target) target.focus();
        }
        if (message) say(message, false);
      });
  }

  // What the status says after a move: the item's name (as its stage column or card shows it,
  // without the drag handle and channel badge) and the direction of the button pressed.
  function itemName(form) {
    var stage = form.closest(".stage");
    if (/^stage-/.test(form.dataset.item || "") && stage) return stage.dataset.stage;
    var title = document.getElementById(form.dataset.item);
    if (!title) return "";
    var copy = title.cloneNode(true);
    Array.prototype.forEach.call(copy.querySelectorAll("span"), function (span) { span.remove(); });
    return copy.textContent.trim();
  }

  function movedMessage(direction, name) {
    var formats = {
      left: gettext("Moved stage %(name)s left. Saved."),
      right: gettext("Moved stage %(name)s right. Saved."),
      up: gettext("Moved touchpoint %(name)s up. Saved."),
      down: gettext("Moved touchpoint %(name)s down. Saved."),
    };
    return formats[direction] ? interpolate(formats[direction], { name: name }, true) : gettext("Saved.");
  }

  function onMoveSubmit(event) {
    var form = event.target.closest("form[data-move]");
    if (!form) return;
    event.preventDefault();
    var button = event.submitter || form.querySelector("button:focus");
    var body = new FormData(form);
    if (button && button.name) body.append(button.name, button.value);
    var direction = button ? button.value : "";
    var message = movedMessage(direction, itemName(form));
    var edge = form.getAttribute("data-edge-" + direction);
    var item = form.dataset.item;
    post(form.action, body)
      .then(function (r) {
        if (!r.ok) throw new Error(gettext("The move could not be saved; reload the page and try again."));
        return refresh(button && button.id, message, item, edge);
      })
      .catch(function (e) { say(e.message, true); });
  }

  function saveOrder(url, ids, focusId) {
    post(url, JSON.stringify({ order: ids }), { "Content-Type": "application/json" })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (!r.ok) throw new Error(data.error || gettext("The order could not be saved; reload the page and try again."));
          return refresh(focusId, gettext("Order saved."));
        });
      })
      .catch(function (e) { say(e.message, true); refresh(null); });
  }

  function setUp() {
    drawCurve();
    var root = document.getElementById("journey-map");
    if (!root || root.dataset.editable !== "true" || typeof Sortable === "undefined") return;
    var journey = root.querySelector(".journey");
    Sortable.create(journey, {
      draggable: ".stage",
      handle: ".stage-handle",
      animation: 150,
      forceFallback: true,
      // Each column's place is set on it (the curve spans them): follow the drag's order.
      onChange: function () {
        Array.prototype.forEach.call(journey.querySelectorAll(".stage"), function (s, i) { s.style.gridColumn = String(i + 2); });
      },
      onEnd: function (event) {
        if (event.oldIndex === event.newIndex) return;
        var ids = Array.prototype.map.call(journey.querySelectorAll(".stage"), function (s) { return Number(s.dataset.stageId); });
        saveOrder(root.dataset.stageOrderUrl, ids);
      },
    });
    Array.prototype.forEach.call(root.querySelectorAll("ol.touchpoints"), function (list) {
      Sortable.create(list, {
        draggable: ".touchpoint",
        handle: ".drag-handle",
        animation: 150,
        forceFallback: true,
        onEnd: function (event) {
          if (event.oldIndex === event.newIndex) return;
          var ids = Array.prototype.map.call(list.querySelectorAll(".touchpoint"), function (li) { return Number(li.dataset.id); });
          saveOrder(list.dataset.reorderUrl, ids);
        },
      });
    });
  }

  document.addEventListener("submit", onMoveSubmit);
  var printButton = document.querySelector("[data-print]");
  if (printButton) {
    printButton.hidden = false;
    printButton.addEventListener("click", function () { window.print(); });
  }
  // Redraw at print size so the curve is not a stretched screen bitmap.
  window.addEventListener("beforeprint", function () { if (chart) chart.resize(); });
  // The curve's words come from Django's JavaScript catalogue, a deferred script that runs
  // after this one (not deferred) and before DOMContentLoaded.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();

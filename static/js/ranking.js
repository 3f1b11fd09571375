/* Top ten ranking: drag and drop (SortableJS) and move buttons, both saved at once.
 *
 * The page works without this script: every move button is a POST form. With it, moves and
 * drags post via fetch, the server answers with the stored order, and the lists are rearranged
 * to match that order (also after a refusal, which reverts a drag). Focus stays on the moved item.
 */
(function () {
  "use strict";
  var root = document.getElementById("ranking");
  if (!root || root.dataset.editable !== "true") return;
  var rankedList = document.getElementById("ranked-list");
  var unrankedList = document.getElementById("unranked-list");
  var status = document.getElementById("rank-status");
  var saved = currentOrder();
  var lang = document.documentElement.lang || undefined;  // Turkish sorts ç after c, ı before i

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = root.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function items(list) {
    return Array.prototype.filter.call(list.children, function (el) {
      return el.classList.contains("rank-item");
    });
  }

  function currentOrder() {
    return items(rankedList).map(function (li) { return li.dataset.slug; });
  }

  function itemFor(slug) {
    return root.querySelector('.rank-item[data-slug="' + CSS.escape(slug) + '"]');
  }

  function show(li, move, visible) {
    var form = li.querySelector('form[data-move="' + move + '"]');
    if (form) form.hidden = !visible;
  }

  function nameOf(li) {
    return li.querySelector(".rank-name a").textContent.trim();
  }

  // Rearrange both lists to match `order` (the server's), then renumber and fix the buttons.
  function applyOrder(order) {
    order.forEach(function (slug) {
      var li = itemFor(slug);
      if (li) rankedList.appendChild(li);
    });
    var leftOver = items(rankedList).filter(function (li) { return order.indexOf(li.dataset.slug) < 0; });
    var unranked = items(unrankedList).concat(leftOver);
    unranked.sort(function (a, b) { return a.dataset.name.localeCompare(b.dataset.name, lang); });
    unranked.forEach(function (li) { unrankedList.appendChild(li); });
    var ranked = items(rankedList);
    ranked.forEach(function (li, index) {
      li.querySelector(".rank-number").textContent = String(index + 1);
      show(li, "up", index > 0);
      show(li, "down", index < ranked.length - 1);
      show(li, "remove", true);
      show(li, "add", false);
    });
    unranked.forEach(function (li) {
      li.querySelector(".rank-number").textContent = "—";
      ["up", "down", "remove"].forEach(function (move) { show(li, move, false); });
      show(li, "add", true);
    });
    document.getElementById("ranked-count").textContent = String(ranked.length);
    document.getElementById("ranked-empty").hidden = ranked.length > 0;
    document.getElementById("unranked-empty").hidden = unranked.length > 0;
    saved = order.slice();
  }

  function say(message, isError) {
    status.textContent = message;
    status.classList.toggle("error", !!isError);
    status.classList.toggle("ok", !isError);
  }

  function post(url, body, headers) {
    var allHeaders = { "X-CSRFToken": csrfToken(), Accept: "application/json" };
    Object.keys(headers).forEach(function (key) { allHeaders[key] = headers[key]; });
    return fetch(url, { method: "POST", body: body, headers: allHeaders, credentials: "same-origin" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          if (!response.ok) {
            var error = new Error(data.error || gettext("The top ten could not be saved; reload the page and try again."));
            error.order = data.order;
            throw error;
          }
          return data;
        });
      });
  }

  function refused(error) {
    applyOrder(error.order || saved);
    say(error.message, true);
  }

  function describe(slug, move) {
    var li = itemFor(slug);
    var position = saved.indexOf(slug) + 1;
    if (move === "remove") {
      return interpolate(gettext("%(name)s removed from the top ten."), { name: nameOf(li) }, true);
    }
    return interpolate(gettext("%(name)s is now number %(position)s. Top ten saved."), { name: nameOf(li), position: position }, true);
  }

  function focusAfter(slug, move) {
    var preferences = {
      up: ["up", "down", "remove"],
      down: ["down", "up", "remove"],
      remove: ["add"],
      add: ["up", "remove"],
    }[move] || [];
    var li = itemFor(slug);
    for (var i = 0; i < preferences.length; i++) {
      var form = li.querySelector('form[data-move="' + preferences[i] + '"]');
      if (form && !form.hidden) {
        form.querySelector("button").focus();
        return;
      }
    }
  }

  root.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-move]");
    if (!form) return;
    event.preventDefault();
    var slug = form.querySelector("input[name=slug]").value;
    var move = form.dataset.move;
    post(form.action, new FormData(form), {})
      .then(function (data) {
        applyOrder(data.order);
        say(describe(slug, move), false);
      })
      .catch(refused)
      .then(function () { focusAfter(slug, move); });
  });

  function saveDrag() {
    var order = currentOrder();
    if (order.join("\n") === saved.join("\n")) {
      applyOrder(saved);
      return;
    }
    post(root.dataset.rankUrl, JSON.stringify({ order: order }), { "Content-Type": "application/json" })
      .then(function (data) {
        applyOrder(data.order);
        say(gettext("Top ten saved."), false);
      })
      .catch(refused);
  }

  var options = {
    group: "top-ten",
    handle: ".drag-handle",
    animation: 150,
    // The fallback uses mouse/pointer events instead of native HTML5 drag and drop: it behaves
    // the same in every browser, on touch screens, and under automated browser tests.
    forceFallback: true,
    onEnd: saveDrag,
  };
  Sortable.create(rankedList, options);
  Sortable.create(unrankedList, Object.assign({}, options, { sort: false }));
})();

// Keep the sidebar's entry for the definition shown (the URL's fragment)
// highlighted and in view.
(function () {
  "use strict";
  var sidebar = document.querySelector(".sidebar");
  if (!sidebar) {
    return;
  }
  function follow() {
    var old = sidebar.querySelector("a.active");
    if (old) {
      old.classList.remove("active");
    }
    var name = decodeURIComponent(window.location.hash.slice(1)).split(":")[0];
    var links = sidebar.querySelectorAll(".defs a");
    for (var i = 0; i < links.length; i++) {
      if (links[i].getAttribute("href") === "#" + name) {
        links[i].classList.add("active");
        sidebar.scrollTop = links[i].offsetTop - sidebar.clientHeight / 2;
        return;
      }
    }
  }
  window.addEventListener("hashchange", follow);
  follow();
})();

// Name search over window.QAPI_SEARCH_INDEX (search-index.js); no server
// needed.  Exact matches first, then prefixes, then substrings;
// definitions before members.
(function () {
  "use strict";
  var data = window.QAPI_SEARCH_INDEX;
  var input = document.getElementById("search");
  var list = document.getElementById("search-results");
  if (!data || !input || !list) {
    return;
  }
  var entries = data.entries.map(function (e) {
    return {
      name: e[0],
      lower: e[0].toLowerCase(),
      kind: e[1],
      member: e[1].indexOf(" of ") >= 0,
      href: data.pages[e[2]] + "#" + (e[3] === 0 ? e[0] : e[3])
    };
  });
  var MAX_RESULTS = 50;

  function search(query) {
    query = query.trim().toLowerCase();
    if (!query) {
      return [];
    }
    var hits = [];
    for (var i = 0; i < entries.length; i++) {
      var at = entries[i].lower.indexOf(query);
      if (at < 0) {
        continue;
      }
      var closeness = entries[i].lower === query ? 0 : at === 0 ? 1 : 2;
      hits.push([closeness * 2 + (entries[i].member ? 1 : 0), entries[i].name.length, i]);
    }
    hits.sort(function (a, b) {
      return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
    });
    return hits.slice(0, MAX_RESULTS).map(function (hit) {
      return entries[hit[2]];
    });
  }

  function show() {
    var query = input.value.trim();
    var hits = search(query);
    list.textContent = "";
    hits.forEach(function (entry, n) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      var name = document.createElement("span");
      var kind = document.createElement("span");
      link.href = entry.href;
      name.className = "result-name";
      name.textContent = entry.name;
      kind.className = "result-kind";
      kind.textContent = entry.kind;
      link.appendChild(name);
      link.appendChild(kind);
      item.appendChild(link);
      if (n === 0) {
        item.className = "selected";
      }
      list.appendChild(item);
    });
    if (query && !hits.length) {
      var none = document.createElement("li");
      none.className = "empty";
      none.textContent = "No results";
      list.appendChild(none);
    }
    list.hidden = !query;
  }

  function select(delta) {
    var items = list.querySelectorAll("li a");
    if (!items.length) {
      return;
    }
    var current = list.querySelector("li.selected");
    var index = Array.prototype.indexOf.call(items, current ? current.firstChild : null);
    index = Math.max(0, Math.min(items.length - 1, index + delta));
    if (current) {
      current.className = "";
    }
    items[index].parentNode.className = "selected";
    items[index].scrollIntoView({ block: "nearest" });
  }

  input.addEventListener("input", show);
  input.addEventListener("focus", show);
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      select(1);
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      select(-1);
    } else if (event.key === "Enter") {
      var chosen = list.querySelector("li.selected a");
      if (chosen) {
        list.hidden = true;
        window.location.href = chosen.href;
      }
    } else if (event.key === "Escape") {
      list.hidden = true;
      input.blur();
    }
  });
  list.addEventListener("click", function () {
    list.hidden = true;
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== input) {
      event.preventDefault();
      input.focus();
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest || !event.target.closest(".search")) {
      list.hidden = true;
    }
  });
})();

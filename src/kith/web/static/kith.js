/* Kith's small progressive enhancements. Everything works without them. */
(function () {
  "use strict";

  // Import: upload with a progress bar, then show the answer page.
  function enhanceUpload(form) {
    if (!form || !window.XMLHttpRequest || !window.FormData) return;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var bar = form.querySelector("progress");
      var status = form.querySelector("[role=status]");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) return;
        bar.hidden = false;
        bar.value = Math.round((100 * e.loaded) / e.total);
        status.textContent = "Uploading… " + bar.value + "%";
      });
      xhr.upload.addEventListener("load", function () {
        status.textContent = "Uploaded; importing…";
      });
      xhr.addEventListener("load", function () {
        document.open();
        document.write(xhr.responseText);
        document.close();
        history.replaceState(null, "", "/import");
      });
      xhr.addEventListener("error", function () {
        status.textContent = "The upload failed; check the connection and try again.";
      });
      xhr.send(new FormData(form));
    });
  }

  // Network graph: highlight a person's connections on hover or keyboard focus.
  function enhanceGraph(svg) {
    if (!svg) return;
    var lines = svg.querySelectorAll(".edges line");
    function light(id) {
      svg.classList.toggle("dim", id !== null);
      svg.querySelectorAll(".node").forEach(function (n) { n.classList.remove("hot"); });
      lines.forEach(function (l) {
        var on = id !== null && (l.dataset.a === id || l.dataset.b === id);
        l.classList.toggle("hot", on);
        if (on) {
          [l.dataset.a, l.dataset.b].forEach(function (other) {
            var n = svg.querySelector('.node[data-id="' + other + '"]');
            if (n) n.classList.add("hot");
          });
        }
      });
      if (id !== null) {
        var me = svg.querySelector('.node[data-id="' + id + '"]');
        if (me) me.classList.add("hot");
      }
    }
    svg.querySelectorAll(".node").forEach(function (node) {
      node.addEventListener("mouseenter", function () { light(node.dataset.id); });
      node.addEventListener("focus", function () { light(node.dataset.id); });
      node.addEventListener("mouseleave", function () { light(null); });
      node.addEventListener("blur", function () { light(null); });
    });
  }

  // The menu: collapsed behind a button on narrow screens (CSS shows the button only there).
  function enhanceMenu(button) {
    if (!button) return;
    var nav = document.getElementById(button.getAttribute("aria-controls"));
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", open ? "true" : "false");
      nav.classList.toggle("open", open);
    });
  }

  // The search box on every page: "/" focuses it; suggestions as you type; a chosen suggestion opens its page.
  function enhanceSearch(form) {
    if (!form) return;
    var input = form.querySelector("input[type=search]");
    var list = document.getElementById(input.getAttribute("list"));
    var found = {};
    var timer = null;
    var asked = "";
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      var t = e.target;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
      e.preventDefault();
      input.focus();
      input.select();
    });
    function fill(items) {
      found = {};
      list.textContent = "";
      items.forEach(function (s) {
        var value = s.kind === "person" || s.kind === "e-mail" ? s.label : s.label + " (" + s.kind + ")";
        found[value] = s.url;
        var opt = document.createElement("option");
        opt.value = value;
        opt.label = s.kind + (s.detail ? " · " + s.detail : "");
        list.appendChild(opt);
      });
    }
    input.addEventListener("input", function () {
      var q = input.value.trim();
      if (found[input.value]) { window.location.href = found[input.value]; return; }
      clearTimeout(timer);
      if (q.length < 2 || q === asked) return;
      timer = setTimeout(function () {
        asked = q;
        fetch("/search/suggest?q=" + encodeURIComponent(q), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : { items: [] }; })
          .then(function (data) { if (input.value.trim() === q) fill(data.items); })
          .catch(function () {});
      }, 150);
    });
    form.addEventListener("submit", function (e) {
      if (found[input.value]) { e.preventDefault(); window.location.href = found[input.value]; }
    });
  }

  // Network graph: zoom (buttons, wheel) and pan (drag, arrow keys on the toolbar) by moving the viewBox.
  function enhanceZoom(svg) {
    if (!svg) return;
    var W = +svg.dataset.width, H = +svg.dataset.height;
    var box = { x: 0, y: 0, w: W, h: H };
    function apply() { svg.setAttribute("viewBox", [box.x, box.y, box.w, box.h].map(function (v) { return v.toFixed(1); }).join(" ")); }
    function zoom(f, cx, cy) {
      var w = Math.min(W * 2, Math.max(W / 8, box.w * f)), h = w * H / W;
      cx = cx === undefined ? box.x + box.w / 2 : cx;
      cy = cy === undefined ? box.y + box.h / 2 : cy;
      box.x = cx - (cx - box.x) * (w / box.w);
      box.y = cy - (cy - box.y) * (h / box.h);
      box.w = w; box.h = h;
      apply();
    }
    function pan(dx, dy) { box.x += dx; box.y += dy; apply(); }
    var tools = document.querySelector(".graph-tools");
    if (tools) {
      tools.addEventListener("click", function (e) {
        var b = e.target.closest("button");
        if (!b) return;
        if (b.dataset.zoom === "in") zoom(0.7);
        else if (b.dataset.zoom === "out") zoom(1 / 0.7);
        else { box = { x: 0, y: 0, w: W, h: H }; apply(); }
      });
      tools.addEventListener("keydown", function (e) {
        var step = box.w / 10;
        var moves = { ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] };
        if (moves[e.key]) { e.preventDefault(); pan(moves[e.key][0], moves[e.key][1]); }
      });
    }
    function point(e) {
      var r = svg.getBoundingClientRect();
      return { x: box.x + (e.clientX - r.left) * box.w / r.width, y: box.y + (e.clientY - r.top) * box.h / r.height };
    }
    svg.addEventListener("wheel", function (e) {
      e.preventDefault();
      var p = point(e);
      zoom(e.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y);
    }, { passive: false });
    var drag = null;
    svg.addEventListener("pointerdown", function (e) {
      if (e.target.closest(".node")) return;
      drag = { x: e.clientX, y: e.clientY };
      svg.classList.add("panning");
      svg.setPointerCapture(e.pointerId);
    });
    svg.addEventListener("pointermove", function (e) {
      if (!drag) return;
      var r = svg.getBoundingClientRect();
      pan(-(e.clientX - drag.x) * box.w / r.width, -(e.clientY - drag.y) * box.h / r.height);
      drag = { x: e.clientX, y: e.clientY };
    });
    function stop() { drag = null; svg.classList.remove("panning"); }
    svg.addEventListener("pointerup", stop);
    svg.addEventListener("pointercancel", stop);
  }

  // Confirmation before a destructive form (delete) is sent.
  function enhanceConfirm() {
    document.querySelectorAll("form[data-confirm]").forEach(function (form) {
      form.addEventListener("submit", function (e) {
        if (!window.confirm(form.getAttribute("data-confirm"))) e.preventDefault();
      });
    });
  }

  document.documentElement.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    enhanceMenu(document.querySelector(".menu-toggle"));
    enhanceSearch(document.getElementById("global-search"));
    enhanceConfirm();
    enhanceUpload(document.getElementById("upload-form"));
    enhanceGraph(document.querySelector("svg.graph"));
    enhanceZoom(document.querySelector("svg.graph"));
  });
})();

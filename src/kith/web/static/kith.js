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

  document.addEventListener("DOMContentLoaded", function () {
    enhanceUpload(document.getElementById("upload-form"));
    enhanceGraph(document.querySelector("svg.graph"));
  });
})();

// Follows a background job on its progress page: polls the status JSON, moves the bar and
// the count, and reloads the page (which then offers the result) once the job has ended.
// Without JavaScript the page's "Refresh" link does the same by hand.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("job-bar");
  var state = document.querySelector("#job-state strong");
  var count = document.getElementById("job-count");
  var note = document.getElementById("job-note");
  var delay = 500;

  function show(data) {
    if (data.total) {
      bar.max = data.total;
      bar.value = data.done;
    }
    bar.textContent = data.percent + "%";
    state.textContent = data.state_text;
    count.textContent = data.count_text;
    if (note) note.textContent = data.note || "";
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) {
        if (!answer.ok) throw new Error(answer.status);
        return answer.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          window.location.reload();
          return;
        }
        delay = 500;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        // A lost connection: try again more slowly; the Refresh link still works.
        delay = Math.min(delay * 2, 10000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();

/* The plain-language check beside the editor, refreshed as staff type (the same check saving runs).
   The admin loads this script in the page's <head>, before the form exists, so it listens on the
   document rather than on the textarea: typing, the toolbar, an uploaded image and text put back after
   a lost session all send an "input" event from #id_body, whenever they happen. */
"use strict";
(function () {
  let timer = null;
  document.addEventListener("input", function (event) {
    const body = event.target;
    if (body.id !== "id_body") return;
    clearTimeout(timer);
    timer = setTimeout(function () {
      const report = document.querySelector(".check-report");
      const token = document.querySelector("input[name=csrfmiddlewaretoken]");
      if (!report || !token) return;  // a new document: "Save the draft to see the check"
      const data = new FormData();
      data.append("content", body.value);
      fetch(report.dataset.checkUrl, {method: "POST", body: data, headers: {"X-CSRFToken": token.value}, credentials: "same-origin"})
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null) return;
          const fresh = new DOMParser().parseFromString(html, "text/html").querySelector(".check-report");
          if (fresh) report.replaceChildren(...fresh.childNodes);
        })
        .catch(function () { /* the check shown stays as it was; saving still checks */ });
    }, 1200);
  });
})();

/* The plain-language check beside the editor, refreshed as staff type (the same check saving runs). */
"use strict";
(function () {
  const body = document.getElementById("id_body");
  const report = document.querySelector(".check-report");
  const token = document.querySelector("input[name=csrfmiddlewaretoken]");
  if (!body || !report || !token) return;
  let timer = null;
  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
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

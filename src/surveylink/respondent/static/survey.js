// Optional enhancement: steps are posted in the background and the page is swapped in place.
// Without this script every step is an ordinary form post and works the same.
(function () {
  "use strict";

  function swap(html, url) {
    var next = new DOMParser().parseFromString(html, "text/html");
    var main = next.getElementById("main");
    if (!main) {
      window.location.href = url;
      return;
    }
    document.getElementById("main").replaceWith(main);
    document.title = next.title;
    if (url && url !== window.location.href) {
      window.history.replaceState(null, "", url);
    }
    var target = main.querySelector("[autofocus]") || main.querySelector("h1, legend, label");
    if (target) {
      if (!target.matches("input, select, textarea, button")) {
        target.setAttribute("tabindex", "-1");
      }
      target.focus();
    }
    bind();
  }

  function bind() {
    var form = document.querySelector("form.step");
    if (!form || form.dataset.enhanced) {
      return;
    }
    form.dataset.enhanced = "1";
    form.addEventListener("submit", function (event) {
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) {
        data.append(event.submitter.name, event.submitter.value);
      }
      event.preventDefault();
      form.setAttribute("aria-busy", "true");
      // A step with a file question posts multipart/form-data, as the form itself would.
      var chosen = event.submitter && event.submitter.getAttribute("formenctype");
      var multipart = (chosen || form.enctype) === "multipart/form-data";
      fetch(window.location.href, {
        method: "POST",
        body: multipart ? data : new URLSearchParams(data),
        credentials: "same-origin",
        redirect: "follow",
      })
        .then(function (response) {
          return response.text().then(function (html) {
            swap(html, response.url);
          });
        })
        .catch(function () {
          form.removeAttribute("aria-busy");
          form.submit();
        });
    });
  }

  bind();
})();

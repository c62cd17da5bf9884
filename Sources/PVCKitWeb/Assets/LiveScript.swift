/// The UI's one script, served at `/static/pvc.js`: live updates as a progressive enhancement. It follows
/// `/events` (server-sent events, one `change` event whenever the cluster's state the pages show has changed)
/// and then reads the page again in the background and swaps its `<main>` in place: no reload, no flicker, the
/// scroll position and any open form kept (a page whose form has focus or typed text is left alone). Without
/// JavaScript pages re-read themselves with `<meta refresh>` (inside `<noscript>`).
enum LiveScript {
  static let js = """
    (function () {
      if (!window.EventSource || !window.fetch || !window.DOMParser) return;
      var busy = false;
      function editing() {
        var active = document.activeElement;
        if (active && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) return true;
        var fields = document.querySelectorAll("main textarea, main input[type=text], main input:not([type])");
        for (var i = 0; i < fields.length; i++) if (fields[i].value !== fields[i].defaultValue) return true;
        return false;
      }
      function refresh() {
        if (busy || editing()) return;
        busy = true;
        fetch(location.href, { credentials: "same-origin", headers: { "X-PVC-Live": "1" } })
          .then(function (response) { return response.ok ? response.text() : null; })
          .then(function (text) {
            if (!text) return;
            var fresh = new DOMParser().parseFromString(text, "text/html").querySelector("main");
            var current = document.querySelector("main");
            if (fresh && current && fresh.innerHTML !== current.innerHTML) {
              current.innerHTML = fresh.innerHTML;
              document.documentElement.setAttribute("data-live-updated", String(Date.now()));
            }
          })
          .catch(function () {})
          .then(function () { busy = false; });
      }
      var events = new EventSource("/events");
      events.addEventListener("change", refresh);
      document.documentElement.setAttribute("data-live", "on");
    })();
    """
}

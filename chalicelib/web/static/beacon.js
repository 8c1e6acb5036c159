/* MailExpert's first-party page analytics (P2): one report per page view to /t/p on this site.
 *
 * Silent unless the visitor's cookie choice (the `mx_consent` cookie, chalicelib/web/consent_cookie.py)
 * includes analytics: read when the page is left, so a choice withdrawn on this page counts at once.
 * It sets no cookie and stores nothing in the browser. It reports the path without query string, the
 * time on the page, the referrer's host name only (not when it is this site) and the screen
 * resolution; the server adds browser and OS family, truncates the address, and checks the choice again.
 */
(function () {
  "use strict";
  var ENDPOINT = "/t/p";
  var BANNER_VERSION = "1";
  var started = Date.now();
  var sent = false;

  function analyticsAllowed() {
    var cookies = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < cookies.length; i++) {
      var eq = cookies[i].indexOf("=");
      if (cookies[i].slice(0, eq) === "mx_consent") {
        var parts = decodeURIComponent(cookies[i].slice(eq + 1)).split(".");
        return parts[0] === BANNER_VERSION && parts.indexOf("analytics") > 0;
      }
    }
    return false;
  }

  function referrerHost() {
    if (!document.referrer) { return ""; }
    try {
      var host = new URL(document.referrer).hostname;
      return host === location.hostname ? "" : host;
    } catch (e) {
      return "";
    }
  }

  function report() {
    if (sent || !analyticsAllowed()) { return; }
    sent = true;
    var body = JSON.stringify({
      path: location.pathname,
      dwell_ms: Math.max(0, Date.now() - started),
      referrer: referrerHost(),
      screen: screen.width + "x" + screen.height
    });
    if (navigator.sendBeacon && navigator.sendBeacon(ENDPOINT, body)) { return; }  /* text/plain: no preflight */
    if (window.fetch) {
      fetch(ENDPOINT, {method: "POST", body: body, keepalive: true, credentials: "same-origin",
                       headers: {"Content-Type": "text/plain"}}).catch(function () {});
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { report(); }
  });
  window.addEventListener("pagehide", report);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) { started = Date.now(); sent = false; }  /* back from the back-forward cache: a new view */
  });
}());

/* Sala: give each form on a page kept in the page cache its own one-time submission key.
 *
 * A write form carries a random key (app/submissions.py) so that sending it twice, after a lost response,
 * creates one comment. A page the cache keeps for many readers cannot hold one reader's key, so the server
 * renders the field empty and this script fills it once the page loads, in each reader's browser.
 * The editor's own pages (not cached) load it too, for the renewal below.
 * crypto.getRandomValues also works on plain HTTP, where crypto.randomUUID does not exist.
 */
(function () {
  "use strict";

  function newKey() {
    var bytes = new Uint8Array(24);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function fill(renew) {
    if (!window.crypto || !window.crypto.getRandomValues) {
      return;
    }
    var fields = document.querySelectorAll('input[type="hidden"][name="submission_key"]');
    for (var i = 0; i < fields.length; i += 1) {
      if (renew || !fields[i].value) {
        fields[i].value = newKey();
      }
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      fill(false);
    });
  } else {
    fill(false);
  }
  // Back to a page restored from the browser's memory: the form was sent and its answer arrived (the page
  // was left), so what is written now is a new submission, with a new key.
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) {
      fill(true);
    }
  });
})();

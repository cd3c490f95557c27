/* Sala: forget the browser's local copies of entries the server has confirmed saving, on every page.
 *
 * The editor (editor.js) keeps a copy of the entry being written in localStorage and tags it with a token
 * when the form is sent; the server lists the tokens of saves that succeeded in <body data-saved-drafts>
 * (app/editor/drafts.py). Removing those copies on whatever page follows the save (usually the entry
 * itself) means a saved entry does not linger in the browser of a shared office PC. Copies older than
 * 30 days go too.
 */
(function () {
  "use strict";

  var DRAFT_PREFIX = "sala-draft:";
  var DRAFT_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;

  function storageOrNull() {
    try {
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  function forget(confirmed) {
    var storage = storageOrNull();
    if (!storage) {
      return;
    }
    var keys = [];
    for (var i = 0; i < storage.length; i += 1) {
      var key = storage.key(i);
      if (key && key.indexOf(DRAFT_PREFIX) === 0) {
        keys.push(key);
      }
    }
    keys.forEach(function (key) {
      var draft = null;
      try {
        draft = JSON.parse(storage.getItem(key));
      } catch (error) {
        draft = null;
      }
      var tooOld = !draft || typeof draft !== "object" || !(Date.now() - draft.savedAt < DRAFT_MAX_AGE_MS);
      if (tooOld || (draft.token && confirmed.indexOf(draft.token) >= 0)) {
        storage.removeItem(key);
      }
    });
  }

  window.SalaDrafts = { forget: forget, prefix: DRAFT_PREFIX, maxAgeMs: DRAFT_MAX_AGE_MS };
  forget((document.body.dataset.savedDrafts || "").split(/\s+/).filter(Boolean));
})();

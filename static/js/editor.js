/*
 * Sala's entry editor: a Markdown toolbar, a live preview rendered by the server, drafts kept in this
 * browser while typing, image uploads, tag suggestions and the license explanation.
 *
 * Plain JavaScript with no build step and no dependencies. The form works without it: the toolbar and the
 * preview stay hidden, and the license meanings are listed in a <details>. Every text shown to the writer
 * comes from the page (data-text-* attributes rendered through gettext), so this file holds no language.
 */
(function () {
  "use strict";

  var form = document.querySelector("form[data-editor]");
  var body = form && form.querySelector("#body");
  if (!form || !body) {
    return;
  }

  var DRAFT_PREFIX = "sala-draft:";
  var DRAFT_MAX_AGE_MS = 30 * 24 * 60 * 60 * 1000;
  var DRAFT_SAVE_DELAY_MS = 600;
  var PREVIEW_DELAY_MS = 500;
  var SUGGEST_DELAY_MS = 200;

  /* ---------- small helpers ---------- */

  function text(name, values) {
    var key = "text" + name.replace(/(^|-)([a-z])/g, function (_, dash, letter) { return letter.toUpperCase(); });
    var template = form.dataset[key] || "";
    return template.replace(/\{(\w+)\}/g, function (match, field) {
      return values && Object.prototype.hasOwnProperty.call(values, field) ? String(values[field]) : match;
    });
  }

  function debounce(fn, delay) {
    var timer = null;
    function run() {
      timer = null;
      fn();
    }
    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(run, delay);
    }
    schedule.flush = function () {
      if (timer !== null) {
        clearTimeout(timer);
        run();
      }
    };
    return schedule;
  }

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) {
      return meta.content;
    }
    var field = form.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  /* fetch() with the CSRF header; resolves to {ok, status, data} where data is the parsed JSON or null. */
  function request(url, options) {
    options = options || {};
    var headers = { "Accept": "application/json", "X-CSRFToken": csrfToken() };
    var init = { method: options.method || "GET", headers: headers, credentials: "same-origin" };
    if (options.json !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(options.json);
    } else if (options.body) {
      init.body = options.body;
    }
    if (options.signal) {
      init.signal = options.signal;
    }
    return fetch(url, init).then(function (response) {
      return response.json().then(
        function (data) { return { ok: response.ok, status: response.status, data: data }; },
        function () { return { ok: false, status: response.status, data: null }; }
      );
    });
  }

  function errorMessage(result, fallback) {
    return result && result.data && typeof result.data.error === "string" ? result.data.error : fallback;
  }

  function formatTime(ms) {
    var lang = document.documentElement.lang || "th";
    try {
      return new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" }).format(new Date(ms));
    } catch (err) {
      return new Date(ms).toLocaleString();
    }
  }

  /* ---------- editing the textarea ---------- */

  /*
   * Replace body[start:end] with `replacement`, then select [selectFrom, selectTo). execCommand keeps the
   * browser's own undo history (Ctrl+Z undoes a toolbar action); setRangeText is the fallback.
   */
  function replaceRange(start, end, replacement, selectFrom, selectTo) {
    body.focus();
    body.setSelectionRange(start, end);
    var inserted = false;
    try {
      inserted = document.execCommand("insertText", false, replacement);
    } catch (err) {
      inserted = false;
    }
    if (!inserted) {
      body.setRangeText(replacement, start, end, "end");
      body.dispatchEvent(new Event("input", { bubbles: true }));
    }
    body.setSelectionRange(selectFrom, selectTo);
  }

  function lineStartOf(value, index) {
    return value.lastIndexOf("\n", index - 1) + 1;
  }

  function lineEndOf(value, index) {
    var end = value.indexOf("\n", index);
    return end < 0 ? value.length : end;
  }

  /* Surround the selection with before/after, or remove them when it is already surrounded. */
  function wrap(before, after, placeholder) {
    var value = body.value;
    var start = body.selectionStart;
    var end = body.selectionEnd;
    var selected = value.slice(start, end);
    if (value.slice(start - before.length, start) === before && value.slice(end, end + after.length) === after) {
      var outer = start - before.length;
      replaceRange(outer, end + after.length, selected, outer, outer + selected.length);
      return;
    }
    var lead = selected.match(/^\s*/)[0];
    var inner = selected.trim();
    var trail = inner ? selected.match(/\s*$/)[0] : "";
    if (!inner) {
      lead = selected;
      inner = placeholder;
    }
    var innerStart = start + lead.length + before.length;
    replaceRange(start, end, lead + before + inner + after + trail, innerStart, innerStart + inner.length);
  }

  /*
   * Give every selected line a prefix ("## ", "- ", "> "), or take it away when they all have it.
   * A list needs a blank line before it, or Markdown reads it as part of the paragraph above.
   */
  function prefixLines(prefix, existing, placeholder, needsBlankLine) {
    var value = body.value;
    var start = lineStartOf(value, body.selectionStart);
    var selEnd = body.selectionEnd;
    if (selEnd > body.selectionStart && value.charAt(selEnd - 1) === "\n") {
      selEnd -= 1;
    }
    var end = lineEndOf(value, selEnd);
    var lines = value.slice(start, end).split("\n");
    var filled = lines.filter(function (line) { return line.trim() !== ""; });
    if (!filled.length) {
      var from = start + prefix.length;
      replaceRange(start, end, prefix + placeholder, from, from + placeholder.length);
      return;
    }
    var removing = filled.every(function (line) { return existing.test(line); });
    var changed = lines.map(function (line) {
      if (line.trim() === "") {
        return line;
      }
      return removing ? line.replace(existing, "") : prefix + line.replace(existing, "");
    }).join("\n");
    var lead = "";
    if (!removing && needsBlankLine && start > 0) {
      var previous = value.slice(lineStartOf(value, start - 1), start - 1);
      if (previous.trim() !== "" && !existing.test(previous)) {
        lead = "\n";
      }
    }
    replaceRange(start, end, lead + changed, start + lead.length, start + lead.length + changed.length);
  }

  /* Insert a block (a table) on lines of its own, with blank lines around it; select part of it. */
  function insertBlock(block, selectFrom, selectTo) {
    var value = body.value;
    var at = lineEndOf(value, body.selectionEnd);
    if (value.slice(lineStartOf(value, at), at).trim() === "") {
      at = lineStartOf(value, at);
    }
    var before = value.slice(0, at);
    var after = value.slice(at);
    var lead = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var trail = after === "" ? "\n" : /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : "\n\n";
    var offset = at + lead.length;
    replaceRange(at, at, lead + block + trail, offset + selectFrom, offset + selectTo);
  }

  function tableRow(cells) {
    return "| " + cells.join(" | ") + " |";
  }

  /* A table: from tab-separated text pasted from a spreadsheet when that is selected, else a 2 × 2 start. */
  function insertTable() {
    var value = body.value;
    var start = body.selectionStart;
    var end = body.selectionEnd;
    var selected = value.slice(start, end).replace(/\n+$/, "");
    if (selected.indexOf("\t") >= 0) {
      var rows = selected.split("\n").map(function (line) {
        return line.split("\t").map(function (cell) { return cell.trim().replace(/\|/g, "\\|"); });
      });
      var width = Math.max.apply(null, rows.map(function (row) { return row.length; }));
      rows = rows.map(function (row) {
        while (row.length < width) {
          row.push("");
        }
        return tableRow(row);
      });
      var separator = tableRow(new Array(width).fill("---"));
      var table = [rows[0], separator].concat(rows.slice(1)).join("\n");
      replaceRange(start, start + selected.length, table, start, start + table.length);
      return;
    }
    var head = text("table-head");
    var cell = text("table-cell");
    var block = [
      tableRow([head + " 1", head + " 2"]),
      tableRow(["---", "---"]),
      tableRow([cell, cell]),
      tableRow([cell, cell])
    ].join("\n");
    insertBlock(block, 2, 2 + head.length + 2);
  }

  function looksLikeUrl(value) {
    return /^(https?:\/\/|\/)\S*$/i.test(value.trim());
  }

  /* [text](url) or ![alt](url): a selected URL becomes the target, other selected text the words. */
  function insertLink(isImage) {
    var value = body.value;
    var start = body.selectionStart;
    var end = body.selectionEnd;
    var selected = value.slice(start, end).trim();
    var bang = isImage ? "!" : "";
    var words = isImage ? text("image") : text("link");
    var url = "https://";
    if (selected && looksLikeUrl(selected)) {
      url = selected;
      var link = bang + "[" + words + "](" + url + ")";
      replaceRange(start, end, link, start + bang.length + 1, start + bang.length + 1 + words.length);
      return;
    }
    if (selected) {
      words = selected.replace(/[[\]]/g, "");
    }
    var result = bang + "[" + words + "](" + url + ")";
    var urlStart = start + bang.length + words.length + 3;
    if (!selected && !isImage) {
      replaceRange(start, end, result, start + 1, start + 1 + words.length);
    } else {
      replaceRange(start, end, result, urlStart, urlStart + url.length);
    }
  }

  var ACTIONS = {
    bold: function () { wrap("**", "**", text("bold")); },
    heading: function () { prefixLines("## ", /^#{1,6}\s+/, text("heading"), false); },
    list: function () { prefixLines("- ", /^\s*[-*+]\s+/, text("list"), true); },
    quote: function () { prefixLines("> ", /^>\s?/, text("quote"), false); },
    table: insertTable,
    link: function () { insertLink(false); },
    image: function () { insertLink(true); }
  };

  /* ---------- the toolbar: one tab stop, arrow keys move between its buttons ---------- */

  var toolbar = form.querySelector(".md-toolbar");
  var toolButtons = toolbar ? Array.prototype.slice.call(toolbar.querySelectorAll("button")) : [];

  function setTabStop(button) {
    toolButtons.forEach(function (other) {
      other.tabIndex = other === button ? 0 : -1;
    });
  }

  if (toolbar) {
    toolbar.hidden = false;
    setTabStop(toolButtons[0]);
    toolbar.addEventListener("focusin", function (event) {
      if (toolButtons.indexOf(event.target) >= 0) {
        setTabStop(event.target);
      }
    });
    toolbar.addEventListener("keydown", function (event) {
      var index = toolButtons.indexOf(document.activeElement);
      if (index < 0) {
        return;
      }
      var next = null;
      if (event.key === "ArrowRight" || event.key === "ArrowDown") {
        next = toolButtons[(index + 1) % toolButtons.length];
      } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
        next = toolButtons[(index - 1 + toolButtons.length) % toolButtons.length];
      } else if (event.key === "Home") {
        next = toolButtons[0];
      } else if (event.key === "End") {
        next = toolButtons[toolButtons.length - 1];
      }
      if (next) {
        event.preventDefault();
        next.focus();
      }
    });
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-md]");
      if (!button) {
        return;
      }
      var action = button.getAttribute("data-md");
      if (ACTIONS[action]) {
        ACTIONS[action]();
      } else if (action === "preview") {
        togglePreview();
      } else if (action === "upload") {
        chooseImage();
      }
    });
  }

  body.addEventListener("keydown", function (event) {
    if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) {
      return;
    }
    var key = event.key.toLowerCase();
    if (key === "b") {
      event.preventDefault();
      ACTIONS.bold();
    } else if (key === "k") {
      event.preventDefault();
      ACTIONS.link();
    }
  });

  /* ---------- live preview from the server's own renderer ---------- */

  var preview = document.getElementById("md-preview");
  var previewBody = preview && preview.querySelector("[data-preview-body]");
  var previewButton = form.querySelector('button[data-md="preview"]');
  var previewUrl = form.dataset.previewUrl;
  var previewOpen = false;
  var previewSeq = 0;
  var previewAbort = null;

  function showPreviewMessage(message, isError) {
    previewBody.textContent = "";
    var note = document.createElement("p");
    note.className = isError ? "md-note is-error" : "md-note";
    note.textContent = message;
    previewBody.appendChild(note);
  }

  /* Links in the preview open in a new tab, so a click never leaves the page being written. */
  function showPreviewHtml(html) {
    previewBody.innerHTML = html;
    Array.prototype.forEach.call(previewBody.querySelectorAll("a[href]"), function (link) {
      link.target = "_blank";
      link.rel = "nofollow noopener noreferrer";
    });
  }

  function refreshPreview() {
    if (!previewOpen || !previewBody) {
      return;
    }
    var seq = ++previewSeq;
    if (previewAbort) {
      previewAbort.abort();
    }
    if (!body.value.trim()) {
      showPreviewMessage(text("preview-empty"), false);
      return;
    }
    previewAbort = typeof AbortController === "function" ? new AbortController() : null;
    preview.setAttribute("aria-busy", "true");
    if (!previewBody.firstChild) {
      showPreviewMessage(text("preview-loading"), false);
    }
    request(previewUrl, { method: "POST", json: { body: body.value }, signal: previewAbort && previewAbort.signal })
      .then(function (result) {
        if (seq !== previewSeq) {
          return;
        }
        if (result.ok && result.data && typeof result.data.html === "string") {
          showPreviewHtml(result.data.html);
        } else {
          showPreviewMessage(errorMessage(result, text("preview-failed")), true);
        }
      }, function (err) {
        if (seq === previewSeq && !(err && err.name === "AbortError")) {
          showPreviewMessage(text("offline"), true);
        }
      })
      .then(function () {
        if (seq === previewSeq) {
          preview.removeAttribute("aria-busy");
        }
      });
  }

  var schedulePreview = debounce(refreshPreview, PREVIEW_DELAY_MS);

  function togglePreview() {
    if (!preview || !previewButton) {
      return;
    }
    previewOpen = !previewOpen;
    previewButton.setAttribute("aria-pressed", previewOpen ? "true" : "false");
    preview.hidden = !previewOpen;
    form.classList.toggle("is-previewing", previewOpen);
    if (previewOpen) {
      refreshPreview();
    }
  }

  body.addEventListener("input", function () {
    if (previewOpen) {
      schedulePreview();
    }
  });

  /* ---------- drafts kept in this browser ---------- */

  var storage = null;
  try {
    storage = window.localStorage;
    var probe = DRAFT_PREFIX + "probe";
    storage.setItem(probe, "1");
    storage.removeItem(probe);
  } catch (err) {
    storage = null; /* private mode or storage turned off: the editor works, just without local drafts */
  }

  var draftKey = DRAFT_PREFIX + new URL(form.action || location.href, location.href).pathname;
  var draftFields = ["title", "body", "tags"]
    .map(function (id) { return form.querySelector("#" + id); })
    .filter(Boolean);
  var tokenField = form.querySelector("#draft-token");
  var notice = document.getElementById("draft-restore");
  var draftStatus = document.getElementById("draft-status");
  var pendingDraft = null;

  function readDraft(key) {
    if (!storage) {
      return null;
    }
    try {
      var draft = JSON.parse(storage.getItem(key));
      return draft && typeof draft === "object" && draft.fields ? draft : null;
    } catch (err) {
      return null;
    }
  }

  function writeDraft(draft) {
    if (!storage) {
      return false;
    }
    try {
      storage.setItem(draftKey, JSON.stringify(draft));
      return true;
    } catch (err) {
      return false; /* storage full: nothing more can be done here */
    }
  }

  function currentFields() {
    var fields = {};
    draftFields.forEach(function (field) {
      fields[field.id] = field.value;
    });
    return fields;
  }

  function sameFields(a, b) {
    return draftFields.every(function (field) {
      return (a[field.id] || "") === (b[field.id] || "");
    });
  }

  var initialFields = currentFields();

  function saveDraft(token) {
    if (!storage) {
      return;
    }
    var fields = currentFields();
    if (sameFields(fields, initialFields) && !token) {
      /* nothing differs from what the server sent: nothing to lose */
      if (!pendingDraft) {
        storage.removeItem(draftKey);
      }
      return;
    }
    var draft = { version: 1, savedAt: Date.now(), fields: fields };
    if (token) {
      draft.token = token;
    }
    if (writeDraft(draft) && draftStatus) {
      draftStatus.textContent = text("draft-saved", { time: formatTime(draft.savedAt) });
    }
  }

  var scheduleDraft = debounce(function () { saveDraft(null); }, DRAFT_SAVE_DELAY_MS);

  /* Forget the copies the server confirmed saving and very old ones (drafts.js, loaded on every page). */
  function forgetSavedDrafts() {
    if (window.SalaDrafts) {
      window.SalaDrafts.forget((form.dataset.savedDrafts || "").split(/\s+/).filter(Boolean));
    }
  }

  function fillFields(fields) {
    draftFields.forEach(function (field) {
      if (typeof fields[field.id] === "string") {
        field.value = fields[field.id];
        field.dispatchEvent(new Event("input", { bubbles: true }));
      }
    });
  }

  function closeNotice() {
    pendingDraft = null;
    notice.hidden = true;
    body.focus();
  }

  function offerDraft() {
    var draft = readDraft(draftKey);
    if (!draft || !notice) {
      return;
    }
    if (sameFields(draft.fields, initialFields)) {
      return; /* the page already shows it, e.g. the server sent back a form it refused */
    }
    pendingDraft = draft;
    var time = notice.querySelector("[data-draft-time]");
    if (time) {
      time.textContent = text("draft-time", { time: formatTime(draft.savedAt) });
    }
    notice.hidden = false;
    notice.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-draft]");
      if (!button || !pendingDraft) {
        return;
      }
      if (button.getAttribute("data-draft") === "restore") {
        fillFields(pendingDraft.fields);
        closeNotice();
        saveDraft(null);
      } else {
        var stored = readDraft(draftKey);
        if (stored && stored.savedAt === pendingDraft.savedAt) {
          storage.removeItem(draftKey); /* untouched since the page loaded: the writer's new work is kept */
        }
        closeNotice();
      }
    });
  }

  if (storage) {
    forgetSavedDrafts();
    offerDraft();
    draftFields.forEach(function (field) {
      field.addEventListener("input", scheduleDraft);
    });
    /* A closing tab or a phone switching apps must not lose the last second of typing. */
    window.addEventListener("pagehide", scheduleDraft.flush);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        scheduleDraft.flush();
      }
    });
  }

  function randomToken() {
    var bytes = new Uint8Array(16);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i += 1) {
        bytes[i] = Math.floor(Math.random() * 256);
      }
    }
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /* The copy stays until the server confirms this token on a later editor page: a failed submit loses nothing. */
  form.addEventListener("submit", function () {
    var token = randomToken();
    if (tokenField) {
      tokenField.value = token;
    }
    if (storage) {
      scheduleDraft.flush();
      saveDraft(token);
    }
  });

  /* ---------- image uploads: the button, pasting and dropping ---------- */

  var fileInput = document.getElementById("image-upload");
  var uploadButton = form.querySelector('button[data-md="upload"]');
  var uploadStatus = document.getElementById("upload-status");
  var uploadUrl = form.dataset.uploadUrl;
  var maxUploadBytes = parseInt(form.dataset.maxUploadBytes, 10) || 0;
  var uploading = 0;

  function setUploadStatus(message, isError) {
    if (!uploadStatus) {
      return;
    }
    uploadStatus.textContent = message;
    uploadStatus.classList.toggle("is-error", Boolean(isError));
  }

  function chooseImage() {
    if (fileInput) {
      fileInput.click();
    }
  }

  /* Put the image's Markdown on a line of its own at `at` and select its alt text for the writer to edit. */
  function insertImageMarkdown(markdown, at) {
    var value = body.value;
    at = Math.min(at, value.length);
    var lead = at === 0 || value.charAt(at - 1) === "\n" ? "" : "\n";
    var trail = at === value.length || value.charAt(at) === "\n" ? "" : "\n";
    var altStart = at + lead.length + 2;
    var altEnd = altStart + markdown.indexOf("](") - 2;
    replaceRange(at, at, lead + markdown + trail, altStart, Math.max(altStart, altEnd));
  }

  function uploadImage(file) {
    var name = file.name || "image";
    if (maxUploadBytes && file.size > maxUploadBytes) {
      setUploadStatus(text("upload-too-large"), true);
      return Promise.resolve();
    }
    var at = body.selectionEnd;
    var data = new FormData();
    data.append("file", file, name);
    uploading += 1;
    if (uploadButton) {
      uploadButton.setAttribute("aria-busy", "true");
    }
    setUploadStatus(text("uploading", { name: name }), false);
    return request(uploadUrl, { method: "POST", body: data })
      .then(function (result) {
        if (result.ok && result.data && typeof result.data.markdown === "string") {
          insertImageMarkdown(result.data.markdown, at);
          setUploadStatus(text("uploaded", { name: name }), false);
        } else if (result.status === 413 && !result.data) {
          setUploadStatus(text("upload-too-large"), true);
        } else {
          setUploadStatus(errorMessage(result, text("upload-failed")), true);
        }
      }, function () {
        setUploadStatus(text("offline"), true);
      })
      .then(function () {
        uploading -= 1;
        if (!uploading && uploadButton) {
          uploadButton.removeAttribute("aria-busy");
        }
      });
  }

  /* One after another, so the images land in the order they were chosen. */
  function uploadInTurn(files) {
    return files.reduce(function (chain, file) {
      return chain.then(function () { return uploadImage(file); });
    }, Promise.resolve());
  }

  function imagesIn(files) {
    return Array.prototype.filter.call(files || [], function (file) {
      return /^image\//.test(file.type);
    });
  }

  if (fileInput && uploadUrl) {
    fileInput.addEventListener("change", function () {
      /* the server checks what each file really is; the picker's filter is only a convenience */
      var files = Array.prototype.slice.call(fileInput.files || []);
      fileInput.value = "";
      uploadInTurn(files);
    });
    body.addEventListener("paste", function (event) {
      var images = imagesIn(event.clipboardData && event.clipboardData.files);
      if (images.length) {
        event.preventDefault();
        uploadInTurn(images);
      }
    });
    body.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
      }
    });
    body.addEventListener("drop", function (event) {
      var images = imagesIn(event.dataTransfer && event.dataTransfer.files);
      if (images.length) {
        event.preventDefault();
        uploadInTurn(images);
      }
    });
  }

  /* ---------- tag suggestions for the part after the last comma ---------- */

  var tagInput = form.querySelector("#tags");
  var datalist = document.getElementById("tag-suggestions");
  var suggestUrl = form.dataset.suggestUrl;
  var suggestCache = {};
  var suggestSeq = 0;
  var lastTagQuery = null;
  var lastTagHead = null;

  function fillSuggestions(head, used, names) {
    datalist.textContent = "";
    names.forEach(function (name) {
      if (used.indexOf(name.toLowerCase()) >= 0) {
        return;
      }
      var option = document.createElement("option");
      option.value = head + name;
      datalist.appendChild(option);
    });
  }

  function suggestTags() {
    var value = tagInput.value;
    var parts = value.split(/[,\uff0c]/);
    var current = parts.pop();
    var query = current.trim().replace(/^#+/, "");
    var head = value.slice(0, value.length - current.length);
    if (head && !/\s$/.test(head)) {
      head += " ";
    }
    var used = parts.map(function (part) { return part.trim().replace(/^#+/, "").toLowerCase(); });
    if (query === lastTagQuery && head === lastTagHead) {
      return;
    }
    lastTagQuery = query;
    lastTagHead = head;
    var seq = ++suggestSeq;
    var cached = suggestCache[query];
    var names = cached ? Promise.resolve(cached) : request(suggestUrl + "?q=" + encodeURIComponent(query)).then(
      function (result) {
        var list = result.ok && Array.isArray(result.data) ? result.data : [];
        suggestCache[query] = list;
        return list;
      },
      function () { return []; }
    );
    names.then(function (list) {
      if (seq === suggestSeq) {
        fillSuggestions(head, used, list);
      }
    });
  }

  if (tagInput && datalist && suggestUrl) {
    var scheduleSuggest = debounce(suggestTags, SUGGEST_DELAY_MS);
    tagInput.addEventListener("input", scheduleSuggest);
    tagInput.addEventListener("focus", suggestTags);
  }

  /* ---------- what the chosen license means ---------- */

  var licenseSelect = form.querySelector("#license");
  var licenseHelp = document.getElementById("license-help");

  function showLicenseMeaning() {
    var summary = null;
    Array.prototype.some.call(form.querySelectorAll("[data-license-code]"), function (item) {
      if (item.getAttribute("data-license-code") === licenseSelect.value) {
        summary = item.querySelector("[data-license-summary]");
        return true;
      }
      return false;
    });
    licenseHelp.textContent = summary ? summary.textContent.trim() : "";
  }

  if (licenseSelect && licenseHelp) {
    licenseSelect.addEventListener("change", showLicenseMeaning);
    showLicenseMeaning();
  }
})();

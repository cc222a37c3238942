/* The Markdown editor on a document's change page (templates/admin/document_change_form.html loads it
   with defer, so the form is there, and markdownx has not yet drawn its first preview):
   - each markdownx field shows its preview beside the text on a wide screen (static/css/admin.css),
     and behind a "Show preview" button on a narrow one;
   - a toolbar above the body writes Markdown at the cursor, and uploads images;
   - a copy of the text being typed stays in this browser until it is saved, so a session that ends
     mid-sentence loses nothing: the change page puts it back, and says so.
   Every change made here sends an "input" event, as typing does, so the preview, the plain-language
   check (admin-checks.js) and the unsaved copy all follow it. */
"use strict";
(function () {
  function changed(field) {
    field.dispatchEvent(new Event("input", {bubbles: true}));
  }

  /* Replace the selection with `text` (Ctrl+Z can undo it), then select text[selectFrom, selectTo). */
  function replaceSelection(editor, text, selectFrom, selectTo) {
    const start = editor.selectionStart;
    editor.focus();
    if (!document.execCommand("insertText", false, text)) {  // execCommand sends "input" itself
      editor.setRangeText(text, start, editor.selectionEnd, "end");
      changed(editor);
    }
    if (selectFrom !== undefined) editor.setSelectionRange(start + selectFrom, start + selectTo);
  }

  /* Rewrite each line the selection touches (the line with the cursor, if none) with `rewrite(line, n)`. */
  function rewriteLines(editor, rewrite) {
    const value = editor.value;
    const start = value.lastIndexOf("\n", editor.selectionStart - 1) + 1;
    let end = value.indexOf("\n", Math.max(editor.selectionEnd - 1, start));
    if (end === -1) end = value.length;
    const lines = value.slice(start, end).split("\n").map(rewrite);
    editor.setSelectionRange(start, end);
    replaceSelection(editor, lines.join("\n"));
  }

  /* Insert `block` as a paragraph of its own: blank lines around it, unless already there. */
  function insertBlock(editor, block, selectFrom, selectTo) {
    const before = editor.value.slice(0, editor.selectionStart);
    const after = editor.value.slice(editor.selectionEnd);
    const lead = before === "" || before.endsWith("\n\n") ? "" : before.endsWith("\n") ? "\n" : "\n\n";
    const tail = after === "" || after.startsWith("\n\n") ? "" : after.startsWith("\n") ? "\n" : "\n\n";
    replaceSelection(editor, lead + block + tail, lead.length + selectFrom, lead.length + selectTo);
  }

  const ACTIONS = {
    heading: function (editor) { rewriteLines(editor, function (line) { return "## " + line.replace(/^#+\s*/, ""); }); },
    bullets: function (editor) { rewriteLines(editor, function (line) { return "- " + line; }); },
    numbers: function (editor) { rewriteLines(editor, function (line, n) { return (n + 1) + ". " + line; }); },
    link: function (editor) {
      // [selected words](https://), with the address selected for typing over.
      const words = editor.value.slice(editor.selectionStart, editor.selectionEnd) || "words to click";
      const text = "[" + words + "](https://)";
      replaceSelection(editor, text, words.length + 3, text.length - 1);
    },
    callout: function (editor) {
      // content/markdown.py renders Python-Markdown's admonitions as the site's callout boxes.
      const selected = editor.value.slice(editor.selectionStart, editor.selectionEnd) || "What patients should know.";
      const title = "Good to know";
      const block = '!!! note "' + title + '"\n' + selected.split("\n").map(function (line) { return "    " + line; }).join("\n");
      insertBlock(editor, block, 10, 10 + title.length);
    },
  };

  /* The image upload markdownx uses: the server answers the Markdown for the image, with alt text the
     check flags until the author describes the image. */
  function upload(editor, file, status) {
    const token = document.querySelector("input[name=csrfmiddlewaretoken]");
    const data = new FormData();
    data.append("image", file);
    status.textContent = "Uploading " + file.name + "…";
    fetch(editor.dataset.markdownxUploadUrlsPath, {method: "POST", body: data, headers: {"X-CSRFToken": token.value}, credentials: "same-origin"})
      .then(function (response) {
        return response.json().catch(function () { return {}; });
      })
      .then(function (answer) {
        if (!answer.image_code) {
          status.textContent = (answer.image && answer.image[0]) || "The image could not be uploaded. Please try again.";
          return;
        }
        status.textContent = "Image added. Replace “Describe this image” with what it shows.";
        insertBlock(editor, answer.image_code, 2, answer.image_code.indexOf("]"));
      })
      .catch(function () { status.textContent = "The image could not be uploaded. Please try again."; });
  }

  function addToolbar(editor) {
    const template = document.getElementById("markdown-toolbar");
    if (!template) return;
    const toolbar = template.content.firstElementChild.cloneNode(true);
    const fileInput = toolbar.querySelector("[data-markdown-upload]");
    const status = toolbar.querySelector(".markdown-toolbar-status");
    editor.closest(".markdownx").prepend(toolbar);
    toolbar.addEventListener("click", function (event) {
      const button = event.target.closest("button[data-markdown]");
      if (!button) return;
      if (button.dataset.markdown === "image") fileInput.click();
      else ACTIONS[button.dataset.markdown](editor);
    });
    fileInput.addEventListener("change", function () {
      if (fileInput.files.length) upload(editor, fileInput.files[0], status);
      fileInput.value = "";
    });
  }

  /* The preview beside the text on a wide screen; on a narrow one, after it, behind a button. */
  function addPreviewToggle(box) {
    const editor = box.querySelector(".markdownx-editor");
    const preview = box.querySelector(".markdownx-preview");
    if (!editor || !preview) return;
    const label = document.querySelector("label[for=" + editor.id + "]");
    preview.id = editor.id + "_preview";
    preview.setAttribute("aria-label", "Preview of " + (label ? label.textContent.replace(/:\s*$/, "").trim() : "the text"));
    preview.setAttribute("role", "region");
    preview.tabIndex = 0;  // it scrolls on its own, so the keyboard must be able to reach it
    const toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "button preview-toggle";
    toggle.setAttribute("aria-controls", preview.id);
    toggle.setAttribute("aria-expanded", "false");
    toggle.textContent = "Show preview";
    toggle.addEventListener("click", function () {
      const open = box.classList.toggle("preview-open");
      toggle.setAttribute("aria-expanded", String(open));
      toggle.textContent = open ? "Hide preview" : "Show preview";
    });
    preview.before(toggle);
    box.classList.add("editor-ready");
    // markdownx makes Tab indent, which traps a keyboard user in the text: Tab moves on, as in any
    // field (stopped here, on the way down, before it reaches markdownx). Ctrl+] and Ctrl+[ indent.
    box.addEventListener("keydown", function (event) {
      if (event.key === "Tab" && event.target === editor) event.stopPropagation();
    }, true);
    // A picture dropped or pasted into the text is uploaded by markdownx itself: tell the others.
    box.addEventListener("markdownx.fileUploadEnd", function () { changed(editor); });
  }

  /* Unsaved text, kept in this browser (localStorage) under the staff member and the change page's
     address: another account signed in on the same computer never gets it put back. Only these
     fields are kept, nothing else the form holds. */
  function keepUnsavedText(notice) {
    const key = "unsaved-text:" + (notice.dataset.owner || "") + ":" + location.pathname;
    const fields = ["id_title", "id_name", "id_summary", "id_body", "id_references"]
      .map(function (id) { return document.getElementById(id); })
      .filter(function (field) { return field && !field.disabled && !field.readOnly; });
    const shown = function () {
      const values = {};
      fields.forEach(function (field) { values[field.name] = field.value; });
      return values;
    };
    const server = shown();
    let stored = null;
    try { stored = JSON.parse(localStorage.getItem(key)); } catch (error) { stored = null; }
    const kept = function (field) {  // the stored text of a field, or null
      const value = stored && stored.fields && typeof stored.fields === "object" ? stored.fields[field.name] : null;
      return typeof value === "string" ? value : null;
    };
    const differs = fields.some(function (field) { return kept(field) !== null && kept(field) !== field.value; });
    if (differs) {
      fields.forEach(function (field) {
        if (kept(field) !== null && kept(field) !== field.value) {
          field.value = kept(field);
          changed(field);
        }
      });
      showNotice(notice, stored.savedAt, function discard() {
        fields.forEach(function (field) {
          if (field.value !== server[field.name]) {
            field.value = server[field.name];
            changed(field);
          }
        });
        forget(key);
        notice.textContent = "The saved text is back in the form.";
        notice.focus();
      });
    } else if (stored) {
      forget(key);
    }
    // From here on, every keystroke is kept: the session can end at any moment.
    fields.forEach(function (field) {
      field.addEventListener("input", function () {
        try {
          localStorage.setItem(key, JSON.stringify({savedAt: new Date().toISOString(), fields: shown()}));
        } catch (error) { /* storage full or refused: the form still saves as usual */ }
      });
    });
  }

  function forget(key) {
    try { localStorage.removeItem(key); } catch (error) { /* nothing was kept */ }
  }

  function showNotice(notice, savedAt, discard) {
    const when = new Date(savedAt);
    const time = document.createElement("time");
    if (isNaN(when)) {
      time.textContent = "earlier";
    } else {
      time.dateTime = when.toISOString();
      time.textContent = when.toLocaleString([], {dateStyle: "medium", timeStyle: "short"});
    }
    const button = document.createElement("button");
    button.type = "button";
    button.className = "button";
    button.textContent = "Discard it";
    button.addEventListener("click", discard);
    const text = document.createElement("p");
    text.append("We put back text you typed that was not saved yet (from ", time, "). Save to keep it, or ", button, ".");
    notice.replaceChildren(text);
  }

  document.querySelectorAll(".markdownx").forEach(addPreviewToggle);
  const body = document.getElementById("id_body");
  if (body && body.closest(".markdownx")) addToolbar(body);
  const notice = document.querySelector("[data-unsaved-copy]");
  if (notice) keepUnsavedText(notice);
})();

// Copy buttons of shell transcripts copy the commands only: the lines that start with "$ ", without
// the "$ " and without the output. A transcript is a console block, or a text block (a captured
// run included from snippets/failures/) whose first line is a "$ " command. Every other block
// copies exactly what it shows.
//
// Material's copy button copies the `data-copy` attribute of the nearest element that has one,
// and the block's text otherwise; this script sets that attribute on each transcript's <code>.
(function () {
  "use strict";

  function commands(text) {
    return text
      .split("\n")
      .filter(function (line) { return line.indexOf("$ ") === 0; })
      .map(function (line) { return line.slice(2); })
      .join("\n");
  }

  function isTranscript(block, text) {
    if (block.classList.contains("language-console")) return true;
    var first = text.split("\n").filter(function (line) { return line.trim() !== ""; })[0] || "";
    return block.classList.contains("language-text") && first.indexOf("$ ") === 0;
  }

  function mark() {
    document.querySelectorAll(".highlight pre > code").forEach(function (code) {
      var block = code.closest(".highlight");
      var text = code.textContent;
      if (block && isTranscript(block, text)) {
        code.setAttribute("data-copy", commands(text));
        block.classList.add("transcript");
      }
    });
  }

  // Material's `document$` fires on every page load, instant navigation included.
  if (typeof window.document$ !== "undefined") {
    window.document$.subscribe(mark);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
})();

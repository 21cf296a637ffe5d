/*
 * A pasted error line -> the page that resolves it, in the site's search box (first, ahead of the word search) and in
 * the "paste your error" boxes (.error-search). Offline: the rules are error-search.json beside this script, made
 * from the failure catalog's rows by helpers/matcher.py's search_rules() (python -m helpers.tools.search_rules).
 * This script only interprets them, in their order; tests/tools/test_search_rules.py runs it with node and holds
 * every answer equal to `python -m helpers explain`'s.
 */
(function () {
  "use strict";

  function regex(pair, global) {
    var flags = pair[1];
    if (global && flags.indexOf("g") < 0) flags += "g";
    return new RegExp(pair[0], flags);
  }

  function compile(data) {
    var forms = {};
    Object.keys(data.forms).forEach(function (name) {
      var form = data.forms[name];
      forms[name] = {
        replace: form.replace.map(function (r) { return [regex(r, true), r[2]]; }),
        lower: form.lower
      };
    });
    var all = function (list) { return (list || []).map(function (r) { return regex(r); }); };
    var shapes = {};
    Object.keys(data.shapes).forEach(function (key) { shapes[key] = all(data.shapes[key]); });
    return {
      data: data,
      forms: forms,
      whole: regex(data.code.whole),
      written: regex(data.code.written, true),
      words: regex(data.code.words, true),
      shapes: shapes,
      steps: data.steps.map(function (step) {
        return {
          step: step,
          any: all(step.any),
          all: all(step.all),
          diagnosis: step.diagnosis ? regex(step.diagnosis) : null
        };
      })
    };
  }

  function has(table, key) { return Object.prototype.hasOwnProperty.call(table, key); }

  function form(rules, name, text) {
    if (name === "raw") return text;
    var spec = rules.forms[name];
    spec.replace.forEach(function (r) { text = text.replace(r[0], r[1]); });
    text = text.trim();
    return spec.lower ? text.toLowerCase() : text;
  }

  function hasShape(rules, key, text) {
    var squashed = form(rules, "squashed", text);
    return (rules.shapes[key] || []).some(function (re) { return re.test(squashed); });
  }

  function answer(rules, key, code, closest) {
    var row = rules.data.rows[key];
    return {
      row: key, code: code || null, closest: !!closest,
      href: row ? row.href : null, title: row ? row.title : null, gist: row ? row.gist : null,
      name: code && has(rules.data.codes, code) ? rules.data.codes[code].name || null : null
    };
  }

  /* A code and the message: a row whose shapes the message has, else the code's row (closest when unsure). */
  function byCode(rules, code, message) {
    var entry = rules.data.codes[code];
    var shaped = entry.shaped || [];
    for (var i = 0; i < shaped.length; i++) {
      if (message && hasShape(rules, shaped[i], message)) return answer(rules, shaped[i], code);
    }
    if (!entry.row) return null;
    return answer(rules, entry.row, code, entry.closest);
  }

  function words(rules, text) {
    rules.words.lastIndex = 0;
    return (text.match(rules.words) || []).map(function (word) { return word.replace(/\.+$/, ""); });
  }

  function codeIn(rules, text) {
    var codes = rules.data.codes;
    var upper = text.toUpperCase();
    if (rules.whole.test(upper) && has(codes, upper)) return upper;
    var found;
    rules.written.lastIndex = 0;
    while ((found = rules.written.exec(text)) !== null) {
      var code = found[1] || found[2];
      if (code && has(codes, code)) return code;
      if (found[0] === "") rules.written.lastIndex++;
    }
    var names = rules.data.names;
    var list = words(rules, text);
    for (var i = 0; i < list.length; i++) {
      var candidates = [list[i], list[i].toLowerCase(), list[i].split(".").pop()];
      for (var j = 0; j < candidates.length; j++) {
        if (has(names, candidates[j])) return names[candidates[j]];
      }
    }
    return null;
  }

  /* The row a step's test names (a "rows" step: the first of its rows whose shapes the text has), or null. */
  function holds(rules, compiled, text) {
    var step = compiled.step;
    if (step.rows) {
      for (var i = 0; i < step.rows.length; i++) if (hasShape(rules, step.rows[i], text)) return step.rows[i];
      return null;
    }
    var read = form(rules, step.on, text);
    var test = function (re) { return re.test(read); };
    return (step.all ? compiled.all.every(test) : compiled.any.some(test)) ? step.row || "" : null;
  }

  /* What `python -m helpers explain` would name for this text, or null. */
  function recognise(rules, text) {
    var pasted = text.trim();
    if (!pasted) return null;
    var code = codeIn(rules, pasted);
    if (code !== null) return byCode(rules, code, pasted);
    for (var i = 0; i < rules.steps.length; i++) {
      var compiled = rules.steps[i], step = compiled.step;
      if (step.words) {
        var table = rules.data[step.words];
        var list = words(rules, pasted);
        for (var w = 0; w < list.length; w++) {
          var candidates = [list[w], list[w].split(".").pop()];
          for (var c = 0; c < candidates.length; c++) {
            if (has(table, candidates[c])) return answer(rules, table[candidates[c]], null);
          }
        }
      } else if (step.diagnosis) {
        var line = compiled.diagnosis.exec(pasted);
        if (line && has(step.labels, line.groups.label)) {
          var said = step.labels[line.groups.label];
          return said.code_of ? byCode(rules, said.code_of, line.groups.message)
            : answer(rules, said.row, null, said.closest);
        }
      } else {
        var key = holds(rules, compiled, pasted);
        if (key === null) continue;
        if (step.code_of) return byCode(rules, step.code_of, pasted);
        return answer(rules, key, step.rows ? rules.data.rows[key].code : step.code, step.closest);
      }
    }
    return null;
  }

  if (typeof module === "object" && module.exports) {
    module.exports = { compile: compile, recognise: recognise };
    return;
  }

  /* --- in the browser ------------------------------------------------------------------------------------------ */

  var here = document.currentScript.src;
  var root = new URL("..", here);  /* this script is <site>/javascripts/error-search.js */
  var loading = null;

  /* The rules, fetched from this site the first time a box is used (never from another host). */
  function rules() {
    if (loading === null) {
      loading = fetch(new URL("error-search.json", here)).then(function (response) {
        if (!response.ok) throw new Error("error-search.json: HTTP " + response.status);
        return response.json();
      }).then(compile);
    }
    return loading;
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    if (text) made.textContent = text;
    return made;
  }

  function heading(found) {
    return (found.closest ? "closest: " : "") + found.title;
  }

  function detail(found) {
    var code = found.code ? found.code + (found.name ? " " + found.name : "") + ". " : "";
    return code + (found.closest ? "The message does not say which failure of this code it is; this page "
      + "covers its class. " : "") + (found.gist || "");
  }

  /* Material's search: the page for a recognised line goes first in the results, whatever the word search finds. */
  function searchBox() {
    var query = document.querySelector("[data-md-component=search-query]");
    var result = document.querySelector("[data-md-component=search-result]");
    if (!query || !result) return;
    var list = result.querySelector(".md-search-result__list");
    var meta = result.querySelector(".md-search-result__meta");
    var current = null;  /* the item for what the box holds now */

    function place() {
      var mine = list.querySelector(":scope > .error-search__hit");
      if (mine && mine !== current) mine.remove();
      if (current && list.firstElementChild !== current) list.prepend(current);
      if (current && list.children.length === 1 && meta) meta.textContent = "The page for this error";
    }

    function item(found) {
      var li = element("li", "md-search-result__item error-search__hit");
      var a = element("a", "md-search-result__link");
      a.href = new URL(found.href, root).href;
      a.tabIndex = -1;
      var article = element("article", "md-search-result__article md-typeset");
      article.setAttribute("data-md-score", "1e9");  /* Enter in the box opens the best-scored result: this one */
      article.append(element("div", "md-search-result__icon md-icon"), element("h1", null, heading(found)),
        element("p", null, detail(found)));
      a.append(article);
      li.append(a);
      return li;
    }

    function update() {
      var text = query.value;
      rules().then(function (compiled) {
        if (query.value !== text) return;  /* a later update answers */
        var found = recognise(compiled, text);
        current = found && found.href ? item(found) : null;
        place();
        result.setAttribute("data-error-search", text);  /* answered: what a test waits for */
      });
    }

    new MutationObserver(place).observe(list, { childList: true });
    query.addEventListener("input", update);
    query.addEventListener("keyup", update);
    query.addEventListener("focus", function () { rules(); });
    if (query.value) update();
  }

  /* A "paste your error" box (.error-search: a textarea and an output): the page, or a line saying none. */
  function pasteBox(box) {
    var input = box.querySelector("textarea");
    var output = box.querySelector("output, .error-search__answer");
    if (!input || !output) return;

    function update() {
      var text = input.value;
      rules().then(function (compiled) {
        if (input.value !== text) return;
        var found = text.trim() ? recognise(compiled, text) : null;
        output.textContent = "";
        if (found && found.href) {
          var link = element("a", "error-search__page", heading(found));
          link.href = new URL(found.href, root).href;
          output.append(link, element("span", "error-search__detail", detail(found)));
        } else if (text.trim()) {
          output.append(element("span", "error-search__none", "No page recognises this line. Try the search "
            + "box above for its words, or python -m helpers explain with the whole traceback."));
        }
        box.setAttribute("data-error-search", text);  /* answered: what a test waits for */
      });
    }

    input.addEventListener("input", update);
    input.addEventListener("focus", function () { rules(); });
    if (input.value) update();
  }

  searchBox();
  Array.prototype.forEach.call(document.querySelectorAll(".error-search"), pasteBox);
})();

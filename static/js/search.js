/* Site search for search/index.html: the browser twin of the tokenizer in atlas/render/search.py,
   MiniSearch indexing the documents of static/search/index.js with it, ranking, and the results list.

   Token rule (the same in Python; tests/search_cases.json runs both): full-width ASCII folds to ASCII;
   runs of CJK characters become overlapping bigrams (a lone character stays a unigram); runs of other
   letters, marks and digits become one lower-cased word; everything else separates. Query terms are
   AND-combined. Matched words are highlighted with text nodes and <mark> elements, never innerHTML. */
(function (global) {
  "use strict";

  var TOKENIZER = "cjk-bigram-1"; // must equal TOKENIZER in atlas/render/search.py
  var CJK_RANGES = [
    [0x2E80, 0x2FDF], [0x3005, 0x3007], [0x3040, 0x30FF], [0x3400, 0x4DBF], [0x4E00, 0x9FFF],
    [0xAC00, 0xD7AF], [0xF900, 0xFAFF], [0x20000, 0x3134F]
  ];
  var SEPARATOR = 1, WORD = 2, CJK = 3;
  var LETTER_MARK_OR_NUMBER = /^[\p{L}\p{M}\p{N}]$/u;
  var BOOST = { name: 8, name_en: 6, companies: 4, chain: 2, park: 2, district: 2, summary: 1.5, body: 1 };
  var KIND_BOOST = { chain: 1.25, park: 1.1, project: 1 }; // an entry that gathers others leads among equals
  var NAME_FIELDS = ["name", "name_en"];
  var MAX_SHOWN = 50, CHUNK = 2000;
  var SNIPPET_BEFORE = 24, SNIPPET_LENGTH = 110;

  function isCjk(code) {
    for (var i = 0; i < CJK_RANGES.length; i++) {
      if (code >= CJK_RANGES[i][0] && code <= CJK_RANGES[i][1]) { return true; }
    }
    return false;
  }

  var bmpClass = new Uint8Array(0x10000); // classes of characters met so far (0: not yet)

  function classify(code) {
    if (code < 0x80) {
      return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) || (code >= 97 && code <= 122)
        ? WORD : SEPARATOR;
    }
    if (code < 0x10000 && bmpClass[code]) { return bmpClass[code]; }
    var found;
    if (code >= 0xFF01 && code <= 0xFF5E) {
      found = classify(code - 0xFEE0); // full-width ASCII
    } else if (isCjk(code)) {
      found = CJK;
    } else {
      found = LETTER_MARK_OR_NUMBER.test(String.fromCodePoint(code)) ? WORD : SEPARATOR;
    }
    if (code < 0x10000) { bmpClass[code] = found; }
    return found;
  }

  function foldFullWidth(word) {
    return word.replace(/[\uFF01-\uFF5E]/g, function (ch) { return String.fromCharCode(ch.charCodeAt(0) - 0xFEE0); });
  }

  /* Calls emit(token, start, end) for every token of text, in order; start and end are UTF-16 offsets
     of the characters the token stands for (a bigram covers two). */
  function scan(text, emit) {
    var n = text.length, i = 0, starts = [];
    while (i < n) {
      var code = text.codePointAt(i), kind = classify(code), start = i;
      if (kind === SEPARATOR) {
        i += code > 0xFFFF ? 2 : 1;
      } else if (kind === WORD) {
        var folded = false;
        while (i < n && classify(code) === WORD) {
          folded = folded || (code >= 0xFF01 && code <= 0xFF5E);
          i += code > 0xFFFF ? 2 : 1;
          code = text.codePointAt(i);
        }
        var word = text.slice(start, i);
        emit((folded ? foldFullWidth(word) : word).toLowerCase(), start, i);
      } else {
        starts.length = 0;
        while (i < n && classify(code) === CJK) {
          starts.push(i);
          i += code > 0xFFFF ? 2 : 1;
          code = text.codePointAt(i);
        }
        if (starts.length === 1) { emit(text.slice(start, i), start, i); }
        for (var k = 0; k + 1 < starts.length; k++) {
          var end = k + 2 < starts.length ? starts[k + 2] : i;
          emit(text.slice(starts[k], end), starts[k], end);
        }
      }
    }
  }

  function tokenize(text) {
    var tokens = [];
    scan(text || "", function (token) { tokens.push(token); });
    return tokens;
  }

  /* MiniSearch keeps terms in a radix tree whose nodes scan their children one by one: with thousands
     of distinct first characters (Chinese) indexing crawls. So inside MiniSearch each code unit from
     U+2E80 up is spelled as three characters of a 64-letter private-use alphabet (U+E000–U+E03F, which
     no token contains); terms are decoded again for highlighting. */
  var PRIVATE = 0xE000, encoded = new Map();

  function encodeTerm(term) {
    var cached = encoded.get(term);
    if (cached !== undefined) { return cached; }
    var out = "";
    for (var i = 0; i < term.length; i++) {
      var unit = term.charCodeAt(i);
      out += unit < 0x2E80 ? term[i]
        : String.fromCharCode(PRIVATE + (unit >> 12), PRIVATE + ((unit >> 6) & 63), PRIVATE + (unit & 63));
    }
    if (encoded.size < 200000) { encoded.set(term, out); }
    return out;
  }

  function decodeTerm(term) {
    var out = "";
    for (var i = 0; i < term.length; i++) {
      var unit = term.charCodeAt(i);
      if (unit >= PRIVATE && unit < PRIVATE + 64) {
        out += String.fromCharCode(((unit - PRIVATE) << 12) | ((term.charCodeAt(i + 1) - PRIVATE) << 6) |
                                   (term.charCodeAt(i + 2) - PRIVATE));
        i += 2;
      } else {
        out += term[i];
      }
    }
    return out;
  }

  /* A lone CJK character also finds the bigrams it starts; the last word of a query is completed
     (typing "astra" finds "astrazeneca"). Terms arrive encoded. */
  function prefixRule(term, i, terms) {
    var plain = decodeTerm(term), code = plain.codePointAt(0);
    if (isCjk(code)) { return plain.length === (code > 0xFFFF ? 2 : 1); }
    return i === terms.length - 1 && plain.length >= 3;
  }

  function indexOptions(fields) {
    return {
      fields: fields,
      tokenize: function (text) { return tokenize(text); },
      processTerm: encodeTerm,
      searchOptions: { combineWith: "AND", prefix: prefixRule, boost: BOOST }
    };
  }

  function fail(message) {
    throw new Error("search: " + message);
  }

  function distinctCount(text) {
    var seen = {}, count = 0;
    scan(text || "", function (token) { if (!seen[token]) { seen[token] = true; count += 1; } });
    return count;
  }

  /* The index's rows as documents: names of chains, parks and districts looked up, links made. */
  function documentsOf(data) {
    var column = {};
    data.columns.forEach(function (name, i) { column[name] = i; });
    return data.documents.map(function (row, id) {
      var kind = data.kinds[row[column.kind]], doc = { id: id, kind: kind.kind, kindLabel: kind.label };
      data.columns.forEach(function (name, i) {
        if (name === "kind") { return; }
        doc[name] = data.labelled.indexOf(name) >= 0
          ? row[i].map(function (label) { return data.labels[label]; }).join("、") : row[i];
      });
      doc.path = kind.path.replace("{slug}", doc.slug);
      doc.nameTokens = {};
      NAME_FIELDS.forEach(function (field) { doc.nameTokens[field] = distinctCount(doc[field]); });
      return doc;
    });
  }

  function checkIndex(data) {
    if (typeof global.MiniSearch !== "function") {
      fail("MiniSearch is not loaded (static/vendor/minisearch/minisearch.js must come before search.js)");
    }
    if (!data || !data.documents) { fail("the search index (static/search/index.js) is not loaded"); }
    if (data.tokenizer !== TOKENIZER) {
      fail("the index was built with tokenizer " + data.tokenizer + " but this page uses " + TOKENIZER +
           ": rebuild the site");
    }
  }

  /* A promise of the search engine: MiniSearch over the index's documents, built in chunks so the
     page stays responsive. Fails loudly when the library or the index is missing, or when the index
     was made with another token rule (it would answer wrongly, silently). */
  function createIndex(data) {
    try {
      checkIndex(data);
    } catch (error) {
      return Promise.reject(error);
    }
    var documents = documentsOf(data), options = indexOptions(data.fields);
    options.searchOptions.boostDocument = function (id) { return KIND_BOOST[documents[id].kind] || 1; };
    var index = new global.MiniSearch(options);
    return index.addAllAsync(documents, { chunkSize: CHUNK }).then(function () {
      return { index: index, documents: documents };
    });
  }

  var NO_NAME_MATCH = { all: false, coverage: 0 };

  /* How a hit matched the names: whether every query term is in the name (Chinese or English), and
     the largest share of a name's tokens the hit matched (1 when the query is the whole name). */
  function nameMatch(hit, doc) {
    var inName = [], counts = [0, 0];
    for (var term in hit.match) {
      var fields = hit.match[term], found = false;
      for (var f = 0; f < NAME_FIELDS.length; f++) {
        if (fields.indexOf(NAME_FIELDS[f]) >= 0) { counts[f] += 1; found = true; }
      }
      if (found) { inName.push(term); }
    }
    if (!inName.length) { return NO_NAME_MATCH; }
    var all = hit.queryTerms.every(function (queryTerm) {
      return inName.some(function (term) { return term.indexOf(queryTerm) === 0; });
    });
    if (!all) { return NO_NAME_MATCH; }
    var best = 0;
    for (var k = 0; k < NAME_FIELDS.length; k++) {
      if (counts[k]) { best = Math.max(best, counts[k] / doc.nameTokens[NAME_FIELDS[k]]); }
    }
    return { all: true, coverage: best };
  }

  /* Ranked results: matches of the whole query in a name first (the closest name leading), then by
     MiniSearch's score (its field boosts put names and companies above the body), then in site order. */
  function search(engine, query) {
    if (!tokenize(query).length) { return []; }
    var results = engine.index.search(query).map(function (hit) {
      var doc = engine.documents[hit.id], name = nameMatch(hit, doc);
      return { doc: doc, score: hit.score, nameMatch: name.all, coverage: name.coverage, terms: hit.terms };
    });
    results.sort(function (a, b) {
      return (b.nameMatch - a.nameMatch) || (b.coverage - a.coverage) || (b.score - a.score) ||
        (a.doc.id - b.doc.id);
    });
    return results;
  }

  /* [start, end) ranges of text covered by any of the (encoded) matched terms, merged where they touch. */
  function matchRanges(text, terms) {
    var wanted = {}, ranges = [];
    terms.forEach(function (term) { wanted[decodeTerm(term)] = true; });
    scan(text, function (token, start, end) {
      if (!Object.prototype.hasOwnProperty.call(wanted, token)) { return; }
      var last = ranges[ranges.length - 1];
      if (last && start <= last[1]) { last[1] = Math.max(last[1], end); } else { ranges.push([start, end]); }
    });
    return ranges;
  }

  /* text[from:to] as text nodes, with the matched ranges in <mark> elements. */
  function highlighted(text, ranges, from, to) {
    var fragment = document.createDocumentFragment();
    if (from === undefined) { from = 0; to = text.length; }
    var at = from;
    ranges.forEach(function (range) {
      var start = Math.max(range[0], from), end = Math.min(range[1], to);
      if (start >= end) { return; }
      if (start > at) { fragment.appendChild(document.createTextNode(text.slice(at, start))); }
      var mark = document.createElement("mark");
      mark.appendChild(document.createTextNode(text.slice(start, end)));
      fragment.appendChild(mark);
      at = end;
    });
    if (at < to) { fragment.appendChild(document.createTextNode(text.slice(at, to))); }
    return fragment;
  }

  function excerpt(text, ranges, around) {
    var from = Math.max(0, around - SNIPPET_BEFORE);
    if (from < 4) { from = 0; }
    var to = Math.min(text.length, from + SNIPPET_LENGTH);
    var fragment = document.createDocumentFragment();
    if (from > 0) { fragment.appendChild(document.createTextNode("…")); }
    fragment.appendChild(highlighted(text, ranges, from, to));
    if (to < text.length) { fragment.appendChild(document.createTextNode("…")); }
    return fragment;
  }

  /* A piece of the summary or body around the first match (or the summary's start). */
  function snippet(doc, terms) {
    var texts = [doc.summary, doc.body].filter(Boolean);
    for (var i = 0; i < texts.length; i++) {
      var ranges = matchRanges(texts[i], terms);
      if (ranges.length) { return excerpt(texts[i], ranges, ranges[0][0]); }
    }
    return texts.length ? excerpt(texts[0], [], 0) : null;
  }

  /* A page-relative link to an output path: "index.html" stays only in the offline bundle. */
  function linkTo(path, home, mode) {
    var root = home.replace(/index\.html$/, "").replace(/^\.\/$/, "");
    return root + (mode === "offline" ? path : path.replace(/index\.html$/, ""));
  }

  function element(tag, className, child) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (child) { node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); }
    return node;
  }

  function renderResult(result, app) {
    var doc = result.doc, terms = result.terms;
    var item = element("li", "search-result search-kind-" + doc.kind);
    item.appendChild(element("p", "search-result-kind", doc.kindLabel));
    var link = element("a", null, highlighted(doc.name, matchRanges(doc.name, terms)));
    link.href = linkTo(doc.path, app.getAttribute("data-home"), app.getAttribute("data-url-mode"));
    item.appendChild(element("h2", "search-result-title", link));
    var say = words(app);
    if (doc.name_en) {  // the name in the other language (English on Chinese pages, Chinese on English ones)
      var english = element("p", "search-result-en", highlighted(doc.name_en, matchRanges(doc.name_en, terms)));
      english.lang = say.other_lang;
      item.appendChild(english);
    }
    var meta = [["chain", say.chain], ["park", say.park], ["district", say.district], ["companies", say.companies]]
      .filter(function (pair) { return doc[pair[0]]; });
    if (meta.length) {
      var line = element("p", "search-result-meta");
      meta.forEach(function (pair, i) {
        line.appendChild(document.createTextNode((i ? " · " : "") + pair[1] + say.colon));
        line.appendChild(highlighted(doc[pair[0]], matchRanges(doc[pair[0]], terms)));
      });
      item.appendChild(line);
    }
    var text = snippet(doc, terms);
    if (text) { item.appendChild(element("p", "search-result-snippet", text)); }
    return item;
  }

  /* The page's words (data-words, in the page's language; Chinese when a page gives none). */
  var CHINESE_WORDS = {
    prompt: "输入项目、园区、产业链、企业或区（市）的名称。", none: "没有找到与“{query}”相关的条目。",
    found: "“{query}”：找到 {count} 条结果", more: "，显示前 {shown} 条", end: "。", loading: "正在载入搜索索引…",
    broken: "搜索无法使用：", chain: "产业链", park: "园区", district: "区（市）", companies: "企业", colon: "：",
    other_lang: "en"
  };
  function words(app) {
    if (!app.atlasWords) {
      var given = {};
      try { given = JSON.parse(app.getAttribute("data-words") || "{}"); } catch (ignored) { given = {}; }
      app.atlasWords = {};
      Object.keys(CHINESE_WORDS).forEach(function (key) { app.atlasWords[key] = given[key] || CHINESE_WORDS[key]; });
    }
    return app.atlasWords;
  }
  function fill(text, values) {
    return text.replace(/\{(\w+)\}/g, function (whole, name) { return name in values ? String(values[name]) : whole; });
  }

  /* Search and show the results in the app element (its .search-status and .search-results). */
  function show(engine, app, query) {
    var list = app.querySelector(".search-results"), status = app.querySelector(".search-status");
    var trimmed = query.trim(), results = search(engine, query), say = words(app);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    results.slice(0, MAX_SHOWN).forEach(function (result) { list.appendChild(renderResult(result, app)); });
    if (!trimmed) {
      status.textContent = say.prompt;
    } else if (!results.length) {
      status.textContent = fill(say.none, { query: trimmed });
    } else {
      status.textContent = fill(say.found, { query: trimmed, count: results.length }) +
        (results.length > MAX_SHOWN ? fill(say.more, { shown: MAX_SHOWN }) : "") + say.end;
    }
    return results;
  }

  function start() {
    var app = document.getElementById("search-app");
    if (!app) { return; }
    var status = app.querySelector(".search-status"), pageInput = app.querySelector("input[name=q]");
    var inputs = document.querySelectorAll("input[name=q]");
    var initial = new URLSearchParams(location.search).get("q") || "";
    Array.prototype.forEach.call(inputs, function (input) { input.value = initial; });
    status.textContent = words(app).loading;
    createIndex(global.ATLAS_SEARCH).then(function (engine) {
      function run(query, updateAddress) {
        Array.prototype.forEach.call(inputs, function (input) { if (input.value !== query) { input.value = query; } });
        show(engine, app, query);
        if (updateAddress) {
          try {
            history.replaceState(null, "", query ? "?q=" + encodeURIComponent(query) : location.pathname);
          } catch (ignored) { /* some file:// setups refuse; the results are shown all the same */ }
        }
      }
      Array.prototype.forEach.call(document.querySelectorAll("form[role=search]"), function (form) {
        form.addEventListener("submit", function (event) {
          event.preventDefault();
          run(form.querySelector("input[name=q]").value, true);
        });
      });
      pageInput.addEventListener("input", function () { run(pageInput.value, true); });
      run(pageInput.value, false);
      app.setAttribute("data-search-state", "ready");
      if (!initial) { pageInput.focus(); }
    }, function (error) {
      status.textContent = words(app).broken + error.message;
      app.setAttribute("data-search-state", "broken");
      throw error;
    });
  }

  global.AtlasSearch = {
    TOKENIZER: TOKENIZER, tokenize: tokenize, scan: scan, createIndex: createIndex, indexOptions: indexOptions,
    search: search, show: show, matchRanges: matchRanges, linkTo: linkTo, encodeTerm: encodeTerm,
    decodeTerm: decodeTerm
  };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})(window);

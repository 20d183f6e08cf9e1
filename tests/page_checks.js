// What a reader's browser shows on one page of the built site, as a JSON report (tests/test_browser.py runs
// it in headless Chromium after the page has loaded; it is an async arrow function, evaluated and awaited).
async () => {
  const article = document.querySelector("article.bd-article") || document.querySelector("main") || document.body;
  const text = (el) => (el.textContent || "").replace(/\s+/g, " ").trim().slice(0, 80);
  const where = (el) => {                        // the section heading above an element, to find it on the page
    const section = el.closest("section");
    const h = section && section.querySelector("h1, h2, h3, h4");
    return h ? text(h).replace(/#$/, "") : "(top of page)";
  };
  const describe = (el) => `<${el.tagName.toLowerCase()}${el.className && typeof el.className === "string"
    ? ` class="${el.className}"` : ""}> "${text(el)}" in section "${where(el)}"`;
  const wait = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  // -- let the page settle: MathJax typesets asynchronously, images and web fonts load -------------------------
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await Promise.race([MathJax.startup.promise, wait(20000)]);
  }
  for (const img of document.images) img.loading = "eager";
  await Promise.all(Array.from(document.images, (img) => img.complete ? null : new Promise((resolve) => {
    img.addEventListener("load", resolve);
    img.addEventListener("error", resolve);
    setTimeout(resolve, 10000);
  })));
  await document.fonts.ready;

  // -- maths: every .math element typeset by MathJax, no TeX errors, no raw TeX left in the text ---------------
  const mathElements = Array.from(article.querySelectorAll(".math"));
  const rawTex = [];
  const skip = "pre, code, script, style, textarea, mjx-container, .highlight, .cell_input";
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const texPatterns = [/\$\$/, /\\\(/, /\\\)/, /\\\[/, /\\\]/, /\\begin\{/, /\$[^$\s][^$\n]*[\\^_{}][^$\n]*\$/];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest(skip)) continue;
    if (texPatterns.some((p) => p.test(node.data))) {
      rawTex.push(`"${node.data.trim().slice(0, 80)}" in section "${where(parent)}"`);
    }
  }
  const maths = {
    elements: mathElements.length,
    typeset: article.querySelectorAll("mjx-container").length,
    not_typeset: mathElements.filter((m) => !m.querySelector("mjx-container")).map(describe),
    tex_errors: Array.from(article.querySelectorAll("mjx-merror"),
                           (e) => `${e.getAttribute("data-mjx-error") || text(e)} in section "${where(e)}"`),
    raw_tex: rawTex,
  };

  // -- images: every image loaded; which code cells show a figure ----------------------------------------------
  const loaded = (img) => img.complete && img.naturalWidth > 0;
  const cells = Array.from(article.querySelectorAll("div.cell"));
  const images = {
    total: document.images.length,
    broken: Array.from(document.images).filter((img) => !loaded(img))
      .map((img) => `${img.getAttribute("src").slice(0, 100)} in section "${where(img)}"`),
    output_images: article.querySelectorAll(".cell_output img").length,
    // a cell counts once, however many figures it shows
    cells_with_figures: cells.filter((c) => Array.from(c.querySelectorAll(".cell_output img")).some(loaded)).length,
  };

  // -- overflow: nothing wider than the text column, nothing clipped, except where scrolling is intended --------
  // Intended: code and text outputs (<pre>, which the reader scrolls), and anything inside a scrolling element
  // of class "scroll-x" (a page wraps a deliberately wide element in ```{container} scroll-x```, _static/).
  const box = article.getBoundingClientRect();
  const scrolls = (el) => ["auto", "scroll"].includes(getComputedStyle(el).overflowX);
  const intended = (el) => !!el.closest("pre") || (!!el.closest(".scroll-x") && scrolls(el.closest(".scroll-x")));
  const clips = (el) => getComputedStyle(el).overflowX !== "visible";
  const shown = (el) => !el.closest("mjx-assistive-mml");   // MathJax's hidden copy for screen readers
  const reported = [];
  const overflow = [];
  for (const el of article.querySelectorAll("*")) {
    if (!shown(el) || reported.some((r) => r.contains(el)) || intended(el)) continue;
    const r = el.getBoundingClientRect();
    if (!r.width && !r.height) continue;              // not displayed (e.g. a collapsed dropdown)
    if (clips(el) && el.scrollWidth > el.clientWidth + 1) {
      // what the reader loses: the visible content that lies outside this box
      let left = r.left, right = r.right;
      for (const d of el.querySelectorAll("*")) {
        const dr = d.getBoundingClientRect();
        if (shown(d) && (dr.width || dr.height)) { left = Math.min(left, dr.left); right = Math.max(right, dr.right); }
      }
      if (right - left > r.width + 2) {
        overflow.push(`${describe(el)} is cut off or needs a scroll bar: its content is ${Math.round(right - left)} px`
          + ` wide, it shows ${Math.round(r.width)} px`);
        reported.push(el);
      }
    } else if (r.right > box.right + 2 || r.left < box.left - 2) {
      let p = el.parentElement;
      while (p && p !== article && !clips(p)) p = p.parentElement;
      if (p === article || !p) {                      // (inside a clipping box it is reported at that box)
        overflow.push(`${describe(el)} sticks out of the text column (${Math.round(r.left)}-${Math.round(r.right)} px,`
          + ` column ${Math.round(box.left)}-${Math.round(box.right)} px)`);
        reported.push(el);
      }
    }
  }

  // -- kernel-free explorers: moving each slider shows the frame for the new slider positions ------------------
  const explorers = [];
  for (const ex of article.querySelectorAll(".gru-frame-explorer")) {
    const uid = ex.id, sliders = Array.from(ex.querySelectorAll('input[type="range"]'));
    const img = document.getElementById(`${uid}_img`), frames = window[`${uid}_frames`];
    const result = {id: uid, sliders: sliders.length, failures: []};
    if (!sliders.length || !img || !frames) {
      result.failures.push(`sliders: ${sliders.length}, image: ${!!img}, frame table: ${!!frames}`);
    }
    for (const [i, s] of sliders.entries()) {
      const start = s.value;
      s.value = s.value === s.max ? s.min : s.max;
      s.dispatchEvent(new Event("input", {bubbles: true}));
      const key = sliders.map((t) => t.value).join("-");
      if (!img || !frames || img.src !== `data:image/png;base64,${frames[key]}`) {
        result.failures.push(`slider ${i + 1} moved to ${s.value}: the image is not frame ${key}`);
      }
      s.value = start;
      s.dispatchEvent(new Event("input", {bubbles: true}));
    }
    explorers.push(result);
  }

  return {title: document.title, maths, images, overflow, explorers,
          height: document.documentElement.scrollHeight};
}

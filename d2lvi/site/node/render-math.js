// Typesets TeX into static CommonHTML for d2lvi.mathrender: one process for a whole build.
//
// Usage: node render-math.js NODE_MODULES < request.json > result.json
// request: {"fontURL": "...", "pages": [[{"tex": "...", "display": false}, ...], ...]}
// result:  {"pages": [{"html": ["<mjx-container ...>", ...], "css": "...",
//                      "errors": [[index, "message"], ...]}, ...]}
// Each page gets the stylesheet of only the characters it uses (adaptiveCSS), and hidden
// MathML for screen readers (assistive-mml). Uses the pinned `mathjax` package's components.
'use strict';

const path = require('path');

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (chunk) => chunks.push(chunk));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

async function main() {
  const nodeModules = process.argv[2];
  if (!nodeModules) throw new Error('usage: node render-math.js NODE_MODULES');
  const request = JSON.parse(await readStdin());
  const MathJax = await require(path.join(path.resolve(nodeModules), 'mathjax')).init({
    loader: {load: ['input/tex', 'output/chtml', 'adaptors/liteDOM', 'a11y/assistive-mml']},
    // Without `noundefined` an unknown macro is an error the build reports, not red text.
    tex: {packages: {'[-]': ['noundefined']}},
    chtml: {fontURL: request.fontURL, adaptiveCSS: true},
    startup: {typeset: false},
  });
  const adaptor = MathJax.startup.adaptor;
  const pages = [];
  for (const formulas of request.pages) {
    // A fresh stylesheet and TeX state per page: the result does not depend on other pages.
    MathJax.startup.output.clearCache();
    MathJax.texReset();
    const html = [];
    const errors = [];
    for (const [index, formula] of formulas.entries()) {
      const node = await MathJax.tex2chtmlPromise(formula.tex, {display: formula.display});
      const markup = adaptor.outerHTML(node);
      const error = adaptor.tags(node, 'mjx-merror')[0];
      if (error) errors.push([index, adaptor.getAttribute(error, 'data-mjx-error') || markup]);
      html.push(markup);
    }
    pages.push({html, css: adaptor.textContent(MathJax.chtmlStylesheet()), errors});
  }
  process.stdout.write(JSON.stringify({pages}));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});

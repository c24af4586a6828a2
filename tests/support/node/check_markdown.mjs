// Reads Markdown on stdin; parses it with the CommonMark reference parser (commonmark.js) and
// every ```mermaid block with Mermaid's own parser (mermaid 11, under jsdom). Prints JSON:
// { html: [raw HTML blocks and inlines], items: list items, text: all text, mermaid: [{ok, error,
//   vertices: [{id, text}], edges: [{start, end, text}], linkStyles: number of styled edges}] }.
// Installed by scripts/install-test-tools.sh into .tools/node (NODE_PATH points there).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(process.env.NODE_TOOLS + '/');
const { JSDOM } = require('jsdom');
const commonmark = require('commonmark');
const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const { default: mermaid } = await import(require.resolve('mermaid'));

// A label as the rendered diagram shows it: Mermaid's entity encoding undone (as its
// decodeEntities does), then HTML entities resolved by the DOM.
function rendered(text) {
  const html = text.replace(/ﬂ°°/g, '&#').replace(/ﬂ°/g, '&').replace(/¶ß/g, ';');
  const el = document.createElement('span');
  el.innerHTML = html;
  return el.textContent;
}

const input = readFileSync(0, 'utf8');
const tree = new commonmark.Parser().parse(input);
const out = { html: [], items: 0, text: '', mermaid: [] };
const walker = tree.walker();
const blocks = [];
let ev;
while ((ev = walker.next())) {
  const n = ev.node;
  if (!ev.entering) continue;
  if (n.type === 'html_block' || n.type === 'html_inline') out.html.push(n.literal);
  if (n.type === 'item') out.items += 1;
  if (n.type === 'text' || n.type === 'code') out.text += n.literal;
  if (n.type === 'softbreak' || n.type === 'linebreak' || n.type === 'paragraph' || n.type === 'item') out.text += '\n';
  if (n.type === 'code_block' && n.info === 'mermaid') blocks.push(n.literal);
}
for (const text of blocks) {
  try {
    await mermaid.parse(text);
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
    const db = diagram.db;
    const vertices = [...db.getVertices().values()].map((v) => ({ id: v.id, text: rendered(v.text) }));
    const edges = db.getEdges().map((e) => ({ start: e.start, end: e.end, text: e.text, style: e.style ?? [] }));
    out.mermaid.push({ ok: true, vertices, edges, chars: text.length });
  } catch (e) {
    out.mermaid.push({ ok: false, error: String(e.message ?? e) });
  }
}
console.log(JSON.stringify(out));

import MarkdownIt from 'markdown-it';
import { InvalidArgumentError } from '@thoughtspace/runtime';
import { browserBundles } from './internal/bundles';
import { requireNonEmpty, requireText } from './internal/spec';
import { withConfig, type ChartSpec } from './render';

export interface ReportSection {
  heading: string;
  /** CommonMark; raw HTML in it is escaped, not passed through. */
  markdown?: string;
  /** A chart from this package's `*Spec` builders, drawn interactively (tooltips, PNG/SVG export). */
  spec?: ChartSpec;
}

export interface HtmlReportOptions {
  title: string;
  sections: ReportSection[];
}

let scripts: string | undefined;

function inlineScripts(): string {
  scripts ??= browserBundles()
    .map((b) => `<script>/* ${b.name} */\n${escapeScript(b.code)}</script>`)
    .join('\n');
  return scripts;
}

/**
 * One self-contained HTML page: markdown sections and interactive charts,
 * with vega, vega-lite and vega-embed inlined so it opens offline (no CDN).
 */
export function renderHtmlReport(options: HtmlReportOptions): string {
  const title = requireText(options.title, 'title');
  const md = new MarkdownIt({ html: false, linkify: false, typographer: false });
  const specs: ChartSpec[] = [];
  const body = requireNonEmpty(options.sections, 'sections').map((s, i) => {
    const heading = requireText(s.heading, `sections[${i}].heading`);
    if (s.markdown === undefined && s.spec === undefined)
      throw new InvalidArgumentError(`sections[${i}] needs markdown, a spec or both`);
    if (s.markdown !== undefined && typeof s.markdown !== 'string')
      throw new InvalidArgumentError(`sections[${i}].markdown must be a string`);
    if (s.spec !== undefined && (typeof s.spec !== 'object' || s.spec === null))
      throw new InvalidArgumentError(`sections[${i}].spec must be a vega-lite spec object`);
    const parts = [`<section>\n<h2>${escapeHtml(heading)}</h2>`];
    if (s.markdown) parts.push(md.render(s.markdown));
    if (s.spec) {
      parts.push(`<div class="chart" id="chart-${specs.length}"></div>`);
      specs.push(withConfig(s.spec));
    }
    parts.push('</section>');
    return parts.join('\n');
  });
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body { font-family: sans-serif; max-width: 1100px; margin: 2em auto; padding: 0 1em; color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 1em 0; font-size: 14px; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: left; }
code { background: #f4f4f4; padding: 1px 4px; }
.chart { margin: 1em 0 2em; overflow-x: auto; }
.chart-error { color: #b00; }
</style>
${inlineScripts()}
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body.join('\n')}
<script type="application/json" id="chart-specs">${JSON.stringify(specs).replace(/</g, '\\u003c')}</script>
<script>
(function () {
  var specs = JSON.parse(document.getElementById('chart-specs').textContent);
  specs.forEach(function (spec, i) {
    var el = document.getElementById('chart-' + i);
    vegaEmbed(el, spec, {
      mode: 'vega-lite',
      renderer: 'svg',
      actions: { export: true, source: false, compiled: false, editor: false }
    }).catch(function (err) {
      el.className += ' chart-error';
      el.textContent = 'chart failed to render: ' + err;
    });
  });
})();
</script>
</body>
</html>
`;
}

function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** Keep inlined code from closing its <script> element early. */
function escapeScript(s: string): string {
  return s.replace(/<\/(script)/gi, '<\\/$1');
}

import { NULL_CURSOR_KEY } from '../backfill/windows';
import type { ReportData, ReportTable, ReportWindow } from './collect';

/** A window as people read it. */
const label = (w: string) => (w === NULL_CURSOR_KEY ? 'no cursor' : w);
/** A window in a timeline cell: 23-06 for a month or a day's 23-06-14, #17 for a key chunk, b7 for a bucket. */
function cellLabel(w: string): string {
  if (w === NULL_CURSOR_KEY) return 'null';
  if (/^\d{4}-/.test(w)) return w.slice(2, 10);
  const chunk = /^chunk-0*(\d+)/.exec(w) ?? /^bucket-0*(\d+)/.exec(w);
  if (chunk) return `${w.startsWith('chunk') ? '#' : 'b'}${chunk[1]}`;
  return w.slice(0, 8);
}

/**
 * `migrate report --html`: one self-contained page (inline CSS and SVG, no script, nothing fetched), so it can be
 * mailed, attached to a ticket or opened offline. Every number sits in an element with a data-* attribute as well,
 * so a test (or a script) reads the page's figures without parsing prose. Every text from the ledger, the config
 * or the warehouse goes through `esc`.
 */

const esc = (v: unknown) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const fmt = (n: number | null | undefined) => (n === null || n === undefined ? '—' : n.toLocaleString('en-US'));

const COLORS: Record<ReportWindow['state'], string> = { pending: '#d0d4da', running: '#f2c94c', done: '#7fb3e6', validated: '#3c9a5f', failed: '#d64545' };
const PHASES = ['new', 'stitched', 'backfilling', 'backfilled', 'cutover', 'retired'];

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;margin:0;background:#f6f7f9}
header{background:#1d2430;color:#fff;padding:18px 28px}header h1{margin:0;font-size:20px}header p{margin:4px 0 0;color:#b8c0cc}
main{padding:20px 28px;max-width:1200px}section.table{background:#fff;border-radius:8px;padding:18px 22px;margin-bottom:22px;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h2{margin:0 0 6px;font-size:18px}h3{font-size:14px;margin:18px 0 8px;color:#44505f;text-transform:uppercase;letter-spacing:.04em}
.phases{display:flex;gap:6px;margin:8px 0}.phases span{padding:3px 10px;border-radius:12px;background:#eceff3;color:#6b7685}.phases span.now{background:#1d2430;color:#fff}
.timeline{display:flex;flex-wrap:wrap;gap:3px}.timeline div{width:34px;height:34px;border-radius:4px;font-size:9px;color:#fff;display:flex;align-items:flex-end;justify-content:center;padding-bottom:2px;box-sizing:border-box}
.legend span{display:inline-block;margin-right:14px}.legend i{display:inline-block;width:11px;height:11px;border-radius:2px;margin-right:4px;vertical-align:-1px}
table{border-collapse:collapse;width:100%;font-size:13px}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eceff3}th{color:#6b7685;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#3c9a5f;font-weight:600}.bad{color:#d64545;font-weight:600}.bar{height:18px;display:flex;border-radius:4px;overflow:hidden;max-width:640px}.bar div{color:#fff;font-size:11px;padding-left:6px;white-space:nowrap}
.kpis{display:flex;gap:26px;margin:8px 0 4px}.kpis div b{display:block;font-size:20px}
`;

export function renderReportHtml(r: ReportData): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Theseus migration report</title><style>${STYLE}</style></head>
<body>
<header><h1>Theseus migration report</h1><p>${esc(r.config)} · ${esc(r.dialect)} · generated ${esc(r.generatedAt)}</p></header>
<main>
${r.tables.map(renderTable).join('\n')}
${renderRuns(r)}
</main></body></html>
`;
}

function renderTable(t: ReportTable): string {
  const s = t.status;
  const count = (state: ReportWindow['state']) => t.windows.filter((w) => w.state === state).length;
  return `<section class="table" data-table="${esc(s.table)}">
<h2>${esc(s.table)}</h2>
<div>${esc(s.legacy)} → the dlt table, read through the view ${esc(s.view)}</div>
<div class="phases">${PHASES.map((p) => `<span class="${p === s.phase ? 'now' : ''}"${p === s.phase ? ` data-phase="${esc(p)}"` : ''}>${esc(p)}</span>`).join('')}</div>
<div class="kpis">
<div>windows<b data-kpi="windows">${fmt(t.windows.length)}</b></div>
<div>validated<b data-kpi="validated">${fmt(count('validated'))}</b></div>
<div>done, not validated<b data-kpi="done">${fmt(count('done'))}</b></div>
<div>pending<b data-kpi="pending">${fmt(count('pending') + count('running'))}</b></div>
<div>failed<b data-kpi="failed" class="${count('failed') ? 'bad' : ''}">${fmt(count('failed'))}</b></div>
</div>
<h3>Windows</h3>
${renderTimeline(t.windows)}
<h3>Legacy and target rows per window</h3>
${renderRowsChart(t.windows)}
<h3>What the view shows now</h3>
${renderDistribution(s.distribution)}
<h3>Definition of Done: the checks verify made</h3>
${renderChecks(t.windows)}
</section>`;
}

function renderTimeline(windows: ReportWindow[]): string {
  if (!windows.length) return '<p>No windows in the ledger yet: run migrate backfill.</p>';
  const cells = windows
    .map((w) => `<div title="${esc(`${label(w.window)}: ${w.state}, ${fmt(w.legacyRows)} legacy rows`)}" style="background:${COLORS[w.state]}" data-window="${esc(w.window)}" data-state="${w.state}">${esc(cellLabel(w.window))}</div>`)
    .join('');
  const legend = (Object.keys(COLORS) as Array<ReportWindow['state']>).map((k) => `<span><i style="background:${COLORS[k]}"></i>${k}</span>`).join('');
  return `<div class="timeline">${cells}</div><p class="legend">${legend}</p>`;
}

/** Grouped bars: legacy rows (grey) and the target rows validation counted (green), per window. */
function renderRowsChart(windows: ReportWindow[]): string {
  if (!windows.length) return '';
  const max = Math.max(1, ...windows.flatMap((w) => [w.legacyRows ?? 0, w.targetRows ?? 0]));
  const slot = Math.max(8, Math.min(28, Math.floor(1100 / windows.length)));
  const bar = Math.max(3, Math.floor((slot - 2) / 2));
  const height = 160;
  const y = (n: number) => Math.round((n / max) * height);
  const bars = windows
    .map((w, i) => {
      const x = 40 + i * slot;
      const l = y(w.legacyRows ?? 0);
      const t = y(w.targetRows ?? 0);
      return `<g data-window="${esc(w.window)}" data-legacy-rows="${w.legacyRows ?? ''}" data-target-rows="${w.targetRows ?? ''}"><title>${esc(`${label(w.window)}: legacy ${fmt(w.legacyRows)}, target ${fmt(w.targetRows)}`)}</title><rect x="${x}" y="${10 + height - l}" width="${bar}" height="${l}" fill="#9aa5b4"/><rect x="${x + bar}" y="${10 + height - t}" width="${bar}" height="${t}" fill="#3c9a5f"/></g>`;
    })
    .join('');
  const width = 50 + windows.length * slot;
  return `<svg width="${width}" height="${height + 40}" role="img" aria-label="legacy and target rows per window">
<text x="0" y="16" font-size="10" fill="#6b7685">${fmt(max)}</text><text x="0" y="${height + 10}" font-size="10" fill="#6b7685">0</text>
<line x1="38" y1="${height + 10}" x2="${width}" y2="${height + 10}" stroke="#c5ccd6"/>${bars}
<text x="40" y="${height + 30}" font-size="11" fill="#6b7685">${esc(label(windows[0].window))}</text><text x="${width - 60}" y="${height + 30}" font-size="11" fill="#6b7685">${esc(label(windows[windows.length - 1].window))}</text>
</svg><p class="legend"><span><i style="background:#9aa5b4"></i>legacy rows</span><span><i style="background:#3c9a5f"></i>target rows (counted by verify)</span></p>`;
}

function renderDistribution(d: ReportTable['status']['distribution']): string {
  if (d === null) return '<p>There is no view yet: run migrate stitch.</p>';
  if (d === undefined) return '<p>Not read.</p>';
  const total = d.reduce((a, x) => a + x.rows, 0) || 1;
  const color = (flag: string) => (flag === 'dlt' ? '#3c9a5f' : '#9aa5b4');
  const parts = d.map((x) => `<div style="width:${(x.rows / total) * 100}%;background:${color(x.flag)}" data-flag="${esc(x.flag)}" data-rows="${x.rows}">${esc(x.flag)} ${fmt(x.rows)}</div>`).join('');
  return `<div class="bar">${parts}</div>`;
}

function renderChecks(windows: ReportWindow[]): string {
  const checked = windows.filter((w) => w.check || w.state === 'failed');
  if (!checked.length) return '<p>No window checked yet: migrate backfill validates each window as it merges it, migrate verify checks them all again.</p>';
  const rows = checked
    .map((w) => {
      const c = w.check;
      const verdict = w.state === 'failed' ? '<span class="bad">failed</span>' : c?.status === 'validated' ? '<span class="ok">validated</span>' : esc(c?.status ?? w.state);
      const sums = (c?.sums ?? []).map((x) => `${esc(x.column)} ${esc(x.legacy)} ${String(x.legacy) === String(x.target) ? '=' : '<span class="bad">≠</span>'} ${esc(x.target)}`).join('; ');
      return `<tr data-check="${esc(w.window)}"><td>${esc(label(w.window))}</td><td>${verdict}</td><td class="n">${fmt(w.legacyRows)}</td><td class="n">${fmt(w.targetRows)}</td><td>${c ? (c.checksumsEqual ? '<span class="ok">equal</span>' : '<span class="bad">differ</span>') : '—'}</td><td>${sums || '—'}</td><td>${esc(reasons(c?.failures ?? null) || (w.error ?? ''))}</td><td>${esc(c?.checkedAt ?? '')}</td></tr>`;
    })
    .join('\n');
  return `<table><thead><tr><th>window</th><th>verdict</th><th>legacy rows</th><th>target rows</th><th>row checksums</th><th>sums</th><th>why not</th><th>checked at</th></tr></thead><tbody>
${rows}
</tbody></table>`;
}

function renderRuns(r: ReportData): string {
  const rows = r.runs
    .map((run) => `<tr data-run="${esc(run.runId)}"><td>${esc(run.startedAt)}</td><td>${esc(run.command)}</td><td class="${run.outcome === 'succeeded' ? 'ok' : run.outcome === 'running' ? '' : 'bad'}">${esc(run.outcome)}</td><td class="n">${run.seconds === null ? '—' : `${run.seconds}s`}</td><td>${esc(run.operator)}</td><td>${esc(run.error ?? '')}</td></tr>`)
    .join('\n');
  return `<section class="table"><h2>Run history</h2><table><thead><tr><th>started</th><th>command</th><th>outcome</th><th>took</th><th>operator</th><th>error</th></tr></thead><tbody>
${rows || '<tr><td colspan="6">No runs yet.</td></tr>'}
</tbody></table></section>`;
}

/** A validation's failures as words: ["changed_rows","sum_mismatch"] → changed rows, sum mismatch. */
function reasons(failures: string | null): string {
  if (!failures) return '';
  try {
    const list = JSON.parse(failures) as unknown;
    return Array.isArray(list) ? list.map((f) => String(f).replace(/_/g, ' ')).join(', ') : failures;
  } catch {
    return failures;
  }
}

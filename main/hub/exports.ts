// The evaluator's exports: the filtered timeline and the scorecard, as CSV (UTF-8 with a BOM, so a
// spreadsheet reads the Chinese text) and as PDF (pdfkit: a maintained generator that embeds and subsets
// a CJK font, so the file is small and its text extractable). Every file ends with the chain as it was
// verified when the file was made and a checkpoint line signed with the hub's key, so whoever holds the
// file can later check the log still holds what the file was made from (`npm run audit -- verify --checkpoint`).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { AuditEntry } from '../../shared/domain';
import { EXPORT_ROWS_MAX, type ExportResult, type ScoreCardResult } from '../../shared/protocol/scorecard';
import { centerDay, centerTimeText } from '../../shared/time';
import { auditTimelinePage, type AuditTimelineQuery, type VerifyResult } from '../store/audit';
import { ensureSigningKey, signCheckpoint } from '../store/checkpoint';
import type { ReadDb } from '../store/db';

export type ExportLang = 'zh-CN' | 'en';
export type Chain = ExportResult['chain'];

/** Signs a checkpoint for a verified chain (none for a broken one: nothing would vouch for it). */
export function chainForExport(verified: VerifyResult, dataDir: string, log: (line: string) => void): Chain {
  const base = { ok: verified.ok, count: verified.count, headHash: verified.headHash, firstBad: verified.firstBad };
  if (!verified.ok) return { ...base, checkpoint: null, publicKey: null };
  try {
    const key = ensureSigningKey(dataDir);
    return { ...base, checkpoint: signCheckpoint({ count: verified.count, head: verified.headHash }, key.privateKey), publicKey: key.publicKey };
  } catch (e) {
    log(`export: no signed checkpoint: ${(e as Error).message}`);
    return { ...base, checkpoint: null, publicKey: null };
  }
}

/** Every entry of a filter, page by page, at most EXPORT_ROWS_MAX. */
export function timelineRows(db: ReadDb, q: Omit<AuditTimelineQuery, 'limit' | 'after' | 'before'>): { entries: AuditEntry[]; truncated: boolean } {
  const entries: AuditEntry[] = [];
  let after: AuditTimelineQuery['after'];
  for (;;) {
    const page = auditTimelinePage(db, { ...q, after, limit: 500 });
    entries.push(...page.entries);
    if (entries.length >= EXPORT_ROWS_MAX) return { entries: entries.slice(0, EXPORT_ROWS_MAX), truncated: entries.length > EXPORT_ROWS_MAX || page.cursor !== null };
    if (!page.cursor) return { entries, truncated: false };
    after = page.cursor;
  }
}

const WORDS = {
  'zh-CN': {
    timeline: '审计时间线', scorecard: '考评记分卡（千分制）', period: '期间', rows: '条', truncated: '（已截断，仅导出前 {n} 条）',
    cols: ['序号', '时间', '操作人', '角色', '动作', '对象', '结果', '原因', '内容', '哈希'],
    scoreCols: ['指标', '权重', '达标', '总数', '比率', '得分', '定义'],
    total: '总分', stars: '星级', previous: '上一期间', previousEmpty: '无记录（该期间无可计项）', chainOk: '哈希链校验通过：{n} 条记录，链头 {head}', chainBad: '哈希链校验失败：第 {seq} 条 — {why}',
    checkpoint: '签名检查点', noCheckpoint: '无签名检查点', key: '公钥', made: '生成于', filters: '筛选', none: '无',
  },
  en: {
    timeline: 'Audit timeline', scorecard: 'Evaluation scorecard (1000 points)', period: 'Period', rows: 'entries', truncated: ' (truncated: the first {n} only)',
    cols: ['seq', 'time', 'actor', 'role', 'action', 'target', 'outcome', 'reason', 'payload', 'hash'],
    scoreCols: ['indicator', 'weight', 'met', 'of', 'rate', 'points', 'definition'],
    total: 'Total', stars: 'Stars', previous: 'Previous period', previousEmpty: 'no record (nothing to count in it)', chainOk: 'Hash chain verified: {n} entries, head {head}', chainBad: 'Hash chain BROKEN at entry {seq}: {why}',
    checkpoint: 'Signed checkpoint', noCheckpoint: 'no signed checkpoint', key: 'public key', made: 'made at', filters: 'filters', none: 'none',
  },
} as const;

const fill = (s: string, p: Record<string, string | number>) => s.replace(/\{(\w+)\}/g, (_, k: string) => String(p[k] ?? ''));

function chainLines(chain: Chain, lang: ExportLang): string[] {
  const w = WORDS[lang];
  const head = chain.ok ? fill(w.chainOk, { n: chain.count, head: chain.headHash }) : fill(w.chainBad, { seq: chain.firstBad?.seq ?? '?', why: chain.firstBad?.why ?? '' });
  return [head, chain.checkpoint ? `${w.checkpoint}: ${chain.checkpoint}` : w.noCheckpoint, ...(chain.publicKey ? [`${w.key}: ${chain.publicKey}`] : [])];
}

function csvCell(v: unknown): string {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
  // A leading = + - @ would make a spreadsheet evaluate the cell: quote it as text.
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const csvLine = (cells: unknown[]) => cells.map(csvCell).join(',');
const BOM = '\uFEFF';
/** The period before's total, or that it had nothing to count (its 1000 would be an empty record's, not a score). */
const previousTotal = (card: ScoreCardResult, w: (typeof WORDS)[ExportLang]) => (card.previous.recorded ? card.previous.total.toFixed(1) : w.previousEmpty);
const pct = (r: number | null) => (r === null ? '—' : `${(r * 100).toFixed(1)}%`);
const periodText = (from: number, to: number, tz: string) => `${centerDay(from, tz)} ${centerTimeText(from, tz, false)} – ${centerDay(to, tz)} ${centerTimeText(to, tz, false)} (${tz})`;
const timeText = (t: number, tz: string) => `${centerDay(t, tz)} ${centerTimeText(t, tz)}`;

export function timelineCsv(entries: AuditEntry[], chain: Chain, lang: ExportLang, tz: string): string {
  const w = WORDS[lang];
  const lines = [csvLine([...w.cols])];
  for (const e of entries) lines.push(csvLine([e.seq, timeText(e.at, tz), e.actor, e.role, e.action, e.target, e.outcome, e.reason, e.payload, e.hash]));
  lines.push('', ...chainLines(chain, lang).map((l) => csvLine([l])));
  return BOM + lines.join('\r\n') + '\r\n';
}

export function scorecardCsv(card: ScoreCardResult, chain: Chain, lang: ExportLang, tz: string): string {
  const w = WORDS[lang];
  const name = (n: { zh: string; en: string }) => (lang === 'en' ? n.en : n.zh);
  const lines = [csvLine([w.period, periodText(card.from, card.to, tz)]), csvLine([...w.scoreCols])];
  for (const i of card.indicators) lines.push(csvLine([name(i.name), i.weight, i.met, i.of, pct(i.rate), i.points.toFixed(1), name(i.definition)]));
  lines.push(csvLine([w.total, 1000, '', '', '', card.total.toFixed(1)]), csvLine([w.stars, card.stars]), csvLine([w.previous, previousTotal(card, w)]));
  lines.push('', ...chainLines(chain, lang).map((l) => csvLine([l])));
  return BOM + lines.join('\r\n') + '\r\n';
}

/**
 * A CJK font for the PDF: XIUHUA_PDF_FONT (a .ttf/.otf, or a .ttc with its face after '#'), else Noto
 * Sans CJK where Debian (fonts-noto-cjk), Fedora and Arch put it, else the system fonts of Windows and
 * macOS. Null: none here — the PDF is then made in English with a built-in font, and says so.
 */
export function findCjkFont(env: NodeJS.ProcessEnv = process.env): { file: string; face?: string } | null {
  const candidates: Array<{ file: string; face?: string }> = [];
  if (env.XIUHUA_PDF_FONT) {
    const [file, face] = env.XIUHUA_PDF_FONT.split('#');
    candidates.push({ file: file!, face });
  }
  candidates.push(
    { file: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', face: 'NotoSansCJKsc-Regular' },
    { file: '/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc', face: 'NotoSansCJKsc-Regular' },
    { file: '/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc', face: 'NotoSansCJKsc-Regular' },
    { file: 'C:\\Windows\\Fonts\\simhei.ttf' },
    { file: '/System/Library/Fonts/Supplemental/Songti.ttc', face: 'STSongti-SC-Regular' },
  );
  return candidates.find((c) => fs.existsSync(c.file)) ?? null;
}

type PdfBody = (doc: PDFKit.PDFDocument, lang: ExportLang) => void;

async function pdf(title: string, lines: { period: string; made: string }, chain: Chain, wanted: ExportLang, body: PdfBody): Promise<Buffer> {
  const font = findCjkFont();
  const lang: ExportLang = font ? wanted : 'en';
  // Loaded on the first PDF, not at hub start (pdfkit and its font engine take ~1 s to import on a busy
  // machine); by require from this file's place, which works in development and in the Electron bundle
  // (where pdfkit stays outside the bundle, main/launch/build-main.ts, and is read from app.asar).
  const PDFDocument = createRequire(import.meta.url)('pdfkit') as typeof import('pdfkit');
  const doc = new PDFDocument({ size: 'A4', margin: 48, info: { Title: title, Creator: 'Xiuhua' } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  if (font?.face) doc.font(font.file, font.face);
  else if (font) doc.font(font.file);
  doc.fontSize(18).text(title);
  doc.fontSize(10).moveDown(0.3).text(lines.period).text(lines.made);
  if (!font && wanted !== 'en') doc.text('(No CJK font was found on the hub, so this report is in English; set XIUHUA_PDF_FONT.)');
  doc.moveDown();
  body(doc, lang);
  doc.moveDown().fontSize(9);
  for (const l of chainLines(chain, lang)) doc.text(l);
  doc.end();
  return await done;
}

export function scorecardPdf(card: ScoreCardResult, chain: Chain, wanted: ExportLang, tz: string, madeAt: number): Promise<Buffer> {
  const font = findCjkFont();
  const lang: ExportLang = font ? wanted : 'en';
  const w = WORDS[lang];
  const name = (n: { zh: string; en: string }) => (lang === 'en' ? n.en : n.zh);
  return pdf(w.scorecard, { period: `${w.period}: ${periodText(card.from, card.to, tz)}`, made: `${w.made} ${timeText(madeAt, tz)}` }, chain, wanted, (doc) => {
    doc.fontSize(14).text(`${w.total}: ${card.total.toFixed(1)} / 1000    ${w.stars}: ${'★'.repeat(card.stars)} (${card.stars})`);
    doc.fontSize(10).text(`${w.previous}: ${previousTotal(card, w)}`).moveDown();
    for (const i of card.indicators) {
      doc.fontSize(11).text(`${name(i.name)} — ${i.points.toFixed(1)} / ${i.weight}  (${i.met} / ${i.of}, ${pct(i.rate)})`);
      // A bar of the rate: the chart of the card, drawn as vector so it prints sharp.
      const x = doc.x;
      const y = doc.y + 2;
      doc.rect(x, y, 300, 6).fillColor('#dde3ea').fill();
      doc.rect(x, y, 300 * (i.rate ?? 1), 6).fillColor(i.rate === null || i.rate >= 0.9 ? '#2e8b57' : i.rate >= 0.7 ? '#d08a00' : '#c0392b').fill();
      doc.fillColor('#000000').text('', x, y + 10);
      doc.fontSize(9).fillColor('#444444').text(name(i.definition)).fillColor('#000000').moveDown(0.6);
    }
  });
}

export function timelinePdf(entries: AuditEntry[], truncated: boolean, chain: Chain, wanted: ExportLang, tz: string, q: { from: number; to: number; filters: string }, madeAt: number): Promise<Buffer> {
  const font = findCjkFont();
  const lang: ExportLang = font ? wanted : 'en';
  const w = WORDS[lang];
  const count = `${entries.length} ${w.rows}${truncated ? fill(w.truncated, { n: entries.length }) : ''}`;
  return pdf(w.timeline, { period: `${w.period}: ${periodText(q.from, q.to, tz)}  ·  ${w.filters}: ${q.filters || w.none}  ·  ${count}`, made: `${w.made} ${timeText(madeAt, tz)}` }, chain, wanted, (doc) => {
    doc.fontSize(8);
    for (const e of entries) {
      doc.text(`#${e.seq}  ${timeText(e.at, tz)}  ${e.actor} (${e.role})  ${e.action}  ${e.target ?? ''}  ${e.outcome}${e.reason ? `: ${e.reason}` : ''}`);
    }
  });
}

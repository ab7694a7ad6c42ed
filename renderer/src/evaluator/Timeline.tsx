// The audit timeline of the period: filters (unit, area, who, action, outcome, text), keyset pages loaded
// on demand, each entry opening what it concerns in the side panel; exports of exactly what is filtered.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { AuditTimelineRequest, TimelineEntry } from '../../../shared/protocol/reads';
import type { ExportResult } from '../../../shared/protocol/scorecard';
import { hub, useHub } from '../hub';
import { useClock } from '../common/format';
import { ConcernPanel } from './ConcernPanel';
import { saveFile } from './download';
import { usePeriod } from './period';
import { requestErrorText } from '../common/errors';

export type TimelineFilter = {
  unit?: string; area?: string; actor?: string; action?: string; outcome?: 'accepted' | 'rejected'; text?: string;
  /** exactly the entries about these ids (what a scorecard figure counted), and which figure named them */
  targets?: string[]; targetsOf?: string;
};

const PAGE = 100;
const ACTION_FAMILIES = ['incident:', 'task:', 'sos:', 'checkin:', 'mode:', 'camera:', 'alert:', 'session:', 'audit:', 'positions:', 'user:'];

/**
 * The hub's filter for a form's. An area is what an entry is about (its target: check-ins at a post, an
 * emergency for a district). A unit is rarely a target (its tasks and SOS calls are), so the unit filter
 * finds every entry that names the unit: the id as a JSON string in the entry text ("off-001", not
 * "off-0011"). It takes the text search's place, so unit and free text do not combine.
 */
export function requestFilter(f: TimelineFilter): Omit<AuditTimelineRequest, 'from' | 'to'> {
  const action = f.action?.trim();
  const unit = f.unit?.trim();
  const text = unit ? `"${unit}"` : f.text?.trim();
  // A figure's ids narrow the entries to what it counted; an area (also a target) cannot narrow them further.
  const targets = f.targets?.length ? { targets: f.targets } : f.area?.trim() ? { target: f.area.trim() } : {};
  return {
    ...targets,
    ...(f.actor?.trim() ? { actor: f.actor.trim() } : {}),
    ...(action ? (action.endsWith(':') ? { actionPrefix: action } : { action }) : {}),
    ...(f.outcome ? { outcome: f.outcome } : {}),
    ...(text && text.length >= 2 ? { text } : {}),
  };
}

type Page = { entries: TimelineEntry[]; cursor: { at: number; seq: number } | null; truncated: boolean; scanned: number };

type TimelineProps = { filter: TimelineFilter; onFilter: (f: TimelineFilter) => void; onReplayUnit: (unitId: string) => void; onReplayIncident: (incidentId: string) => void };

export function Timeline({ filter, onFilter, onReplayUnit, onReplayIncident }: TimelineProps) {
  const { t, i18n } = useTranslation();
  const zone = useHub((s) => s.timeZone);
  const units = useHub((s) => s.units);
  const areas = useHub((s) => s.areas);
  const period = usePeriod(zone);
  const clock = useClock();
  const [form, setForm] = useState<TimelineFilter>(filter);
  const [page, setPage] = useState<Page | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<TimelineEntry | null>(null);
  const [exported, setExported] = useState<ExportResult | null>(null);
  const query = useMemo(() => ({ from: period.from, to: period.to, ...requestFilter(filter) }), [period.from, period.to, filter]);
  const generation = useRef(0);

  useEffect(() => setForm(filter), [filter]);

  const load = useCallback(async (after: Page | null) => {
    const g = ++generation.current;
    setLoading(true);
    setError(null);
    try {
      const res = await hub.request('audit:timeline', { ...query, limit: PAGE, ...(after?.cursor ? { after: after.cursor } : {}) });
      if (g !== generation.current) return;
      setPage({ ...res, entries: [...(after?.entries ?? []), ...res.entries] });
    } catch (e) {
      if (g === generation.current) setError((e as Error).message);
    } finally {
      if (g === generation.current) setLoading(false);
    }
  }, [query]);

  useEffect(() => {
    setPage(null);
    void load(null);
  }, [load]);

  const exportAs = async (format: 'csv' | 'pdf') => {
    setError(null);
    try {
      const res = await hub.request('audit:export', { what: 'timeline', format, lang: i18n.language.startsWith('zh') ? 'zh-CN' : 'en', ...query }, 120_000);
      setExported(res);
      saveFile(res.fileName, res.mime, res.data);
    } catch (e) {
      setError((e as Error).message);
    }
  };

  const both = !!(form.unit?.trim() && form.text?.trim());
  const set = (k: keyof TimelineFilter) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value || undefined });
  return (
    <div className="ev-timeline">
      <section className="ev-main">
        <form className="ev-filters" data-testid="filters" onSubmit={(e) => {
          e.preventDefault();
          if (!both) onFilter(form);
        }}>
          <label>{t('evaluator.filters.unit')}<input list="ev-units" data-testid="f-unit" value={form.unit ?? ''} onChange={set('unit')} /></label>
          <label>{t('evaluator.filters.area')}<input list="ev-areas" data-testid="f-area" value={form.area ?? ''} onChange={set('area')} /></label>
          <label>{t('evaluator.filters.actor')}<input data-testid="f-actor" value={form.actor ?? ''} onChange={set('actor')} /></label>
          <label>{t('evaluator.filters.action')}<input list="ev-actions" data-testid="f-action" value={form.action ?? ''} onChange={set('action')} /></label>
          <label>{t('evaluator.filters.outcome')}
            <select data-testid="f-outcome" value={form.outcome ?? ''} onChange={set('outcome')}>
              <option value="">{t('evaluator.filters.any')}</option>
              <option value="accepted">{t('evaluator.filters.accepted')}</option>
              <option value="rejected">{t('evaluator.filters.rejected')}</option>
            </select>
          </label>
          <label>{t('evaluator.filters.text')}<input data-testid="f-text" value={form.text ?? ''} onChange={set('text')} /></label>
          <div className="ev-filter-actions">
            <button type="submit" className="primary" data-testid="f-apply" disabled={both}>{t('evaluator.filters.apply')}</button>
            <button type="button" onClick={() => onFilter({})}>{t('evaluator.filters.clear')}</button>
          </div>
          {both && <p className="err">{t('evaluator.filters.oneObject')}</p>}
          <datalist id="ev-units">{[...units.values()].map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}</datalist>
          <datalist id="ev-areas">{[...areas.values()].map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}</datalist>
          <datalist id="ev-actions">{ACTION_FAMILIES.map((a) => <option key={a} value={a} />)}</datalist>
        </form>
        {filter.targets && (
          <p className="ev-narrowed" data-testid="f-targets" data-count={filter.targets.length} data-ids={filter.targets.join(' ')}>
            {t('evaluator.filters.narrowed', { n: filter.targets.length, what: filter.targetsOf ?? '' })}
            <button type="button" data-testid="f-targets-clear" onClick={() => onFilter({ ...filter, targets: undefined, targetsOf: undefined })}>{t('evaluator.filters.widen')}</button>
          </p>
        )}
        <div className="ev-toolbar">
          <span data-testid="tl-count" data-count={page?.entries.length ?? 0} data-done={page ? String(page.cursor === null) : 'false'}>
            {page ? t('evaluator.timeline.shown', { n: page.entries.length }) : t('evaluator.timeline.loading')}
          </span>
          <div className="spacer" />
          <button type="button" data-testid="export-csv" onClick={() => void exportAs('csv')}>{t('evaluator.timeline.exportCsv')}</button>
          <button type="button" data-testid="export-pdf" onClick={() => void exportAs('pdf')}>{t('evaluator.timeline.exportPdf')}</button>
        </div>
        {exported && (
          <p className="muted" data-testid="exported">
            {t('evaluator.timeline.exported', { file: exported.fileName, rows: exported.rows, head: exported.chain.headHash.slice(0, 16) + '…' })}
            {exported.truncated && t('evaluator.timeline.exportedTruncated')}
          </p>
        )}
        {error && <p className="err" role="alert">{t('evaluator.error', { reason: requestErrorText(t, error) })}</p>}
        <div className="ev-table-wrap">
          <table className="ev-table" data-testid="timeline">
            <thead>
              <tr>{(['time', 'actor', 'action', 'target', 'outcome'] as const).map((c) => <th key={c}>{t(`evaluator.timeline.cols.${c}`)}</th>)}</tr>
            </thead>
            <tbody>
              {page?.entries.map((e) => (
                <tr key={e.seq} data-seq={e.seq} data-action={e.action} data-target={e.target ?? ''} aria-selected={open?.seq === e.seq} className={e.outcome === 'rejected' ? 'refused' : undefined} onClick={() => setOpen(e)}>
                  <td className="num">{clock(e.at, true)}</td>
                  <td>{e.actor} <span className="muted">({t(`roles.${e.role}`, { defaultValue: e.role })})</span></td>
                  <td><code>{e.action}</code></td>
                  <td>{e.target ?? (e.concerns ? `(${e.concerns.id})` : '')}</td>
                  <td>{e.outcome === 'accepted' ? t('evaluator.filters.accepted') : <span className="err" title={e.reason ?? ''}>{t('evaluator.filters.rejected')}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {page && page.entries.length === 0 && !page.cursor && <p className="muted">{t('evaluator.timeline.none')}</p>}
          {page?.truncated && <p className="muted">{t('evaluator.timeline.truncated', { n: page.scanned })}</p>}
          {page && (page.cursor
            ? <button type="button" data-testid="tl-more" disabled={loading} onClick={() => void load(page)}>{t(loading ? 'evaluator.timeline.loading' : 'evaluator.timeline.more')}</button>
            : <p className="muted">{t('evaluator.timeline.end')}</p>)}
        </div>
      </section>
      {open && <ConcernPanel entry={open} onClose={() => setOpen(null)} onReplayUnit={onReplayUnit} onReplayIncident={onReplayIncident} />}
    </div>
  );
}

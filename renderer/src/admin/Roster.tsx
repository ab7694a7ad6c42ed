// The admin's roster import (issue 18): a CSV file of shifts chosen or dropped, its rows previewed as the
// hub reads them (the same CSV rules, shared/roster.ts), and imported by the audited `roster:import`
// command — whole or not at all. A refusal comes with one issue per problem (its row, column, code and
// parameters), said here in the admin's language; the hub's English, which its record keeps, is folded
// below. After an import the shifts still to come are listed, in the center's time zone. Only an admin
// may import (the hub's rule, shared/protocol/commands.ts); this screen is the admin's.
import { useCallback, useMemo, useState, type DragEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { csvFields, isRosterHeader, ROSTER_COLUMNS, rosterLines } from '../../../shared/roster';
import type { CommandError, Issue } from '../../../shared/protocol/commands';
import { addDays, centerDay } from '../../../shared/time';
import { hub, useHub } from '../hub';
import { errorText } from '../common/errors';
import { formatTime } from '../common/format';
import { issueText } from '../common/issues';
import { LoadProblem, useHubList } from './act';

/** What the command schema takes (roster:import `csv`, at most 2,000,000 characters). */
const CSV_MAX = 2_000_000;

type Picked = { name: string; text: string };
type Row = { row: number; fields: string[] | null };
type Outcome =
  | { ok: true; text: string }
  | { ok: false; code: string; lead: string | null; lines: Array<{ text: string; issue: Issue | null }>; detail: string }
  | null;

const readUpcoming = () => hub.request('roster:upcoming', {});

/** The file's rows as the hub numbers them (line 1 the header; blank lines skipped). */
function rowsOf(text: string): { header: boolean; rows: Row[] } {
  const lines = rosterLines(text);
  const rows: Row[] = [];
  lines.forEach((line, i) => {
    if (i > 0 && line.trim() !== '') rows.push({ row: i + 1, fields: csvFields(line) });
  });
  return { header: isRosterHeader(lines[0]), rows };
}

export function Roster() {
  const { t } = useTranslation();
  const zone = useHub((s) => s.timeZone);
  const units = useHub((s) => s.units);
  const areas = useHub((s) => s.areas);
  const [picked, setPicked] = useState<Picked | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const upcoming = useHubList(useCallback(readUpcoming, []));
  const parsed = useMemo(() => (picked ? rowsOf(picked.text) : null), [picked]);
  const columns = ROSTER_COLUMNS.join(',');

  const take = async (file: File | undefined) => {
    if (!file) return;
    setOutcome(null);
    if (file.size > CSV_MAX) {
      setPicked(null);
      setOutcome({ ok: false, code: 'invalid_payload', lead: null, lines: [{ text: t('admin.roster.tooLarge', { name: file.name }), issue: null }], detail: `${file.size} bytes` });
      return;
    }
    setPicked({ name: file.name, text: await file.text() });
  };

  const onDrop = (ev: DragEvent<HTMLDivElement>) => {
    ev.preventDefault();
    setOver(false);
    void take(ev.dataTransfer.files[0]);
  };

  /** A template with two example rows: real officers at their own posts, tomorrow (center day). */
  const template = () => {
    const day = addDays(centerDay(Date.now() + hub.getState().clockSkewMs, zone), 1);
    const officers = [...units.values()].filter((u) => u.kind === 'officer' && u.postId).slice(0, 2);
    const rows = officers.map((u, i) => [u.id, u.postId, day, i === 0 ? '08:00' : '16:00', i === 0 ? '16:00' : '24:00'].join(','));
    const blob = new Blob([`${[columns, ...rows].join('\r\n')}\r\n`], { type: 'text/csv' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = t('admin.roster.templateName');
    a.click();
    URL.revokeObjectURL(a.href);
  };

  const issueLine = (i: Issue): string => {
    const why = issueText(t, i);
    if (i.row === undefined) return why;
    if (!i.column) return t('admin.roster.rowOnly', { row: i.row, why });
    return t('admin.roster.rowLine', { row: i.row, column: t(`admin.roster.columns.${i.column}`, { defaultValue: i.column }), why });
  };

  const importFile = async () => {
    if (!picked) return;
    setBusy(true);
    setOutcome(null);
    const res = await hub.command('roster:import', { csv: picked.text });
    setBusy(false);
    if (res.ok) {
      setOutcome({ ok: true, text: t('admin.roster.imported', { count: res.result.imported, name: picked.name }) });
      upcoming.reload();
      return;
    }
    const error: Omit<CommandError, 'code'> & { code: string } = res.error;
    const issues = error.issues ?? [];
    const count = error.issueCount ?? issues.length;
    const lines: Array<{ text: string; issue: Issue | null }> = issues.map((i) => ({ text: issueLine(i), issue: i }));
    if (count > issues.length) lines.push({ text: t('admin.roster.more', { count: count - issues.length }), issue: null });
    setOutcome({ ok: false, code: error.code, lead: issues.length > 0 ? t('admin.roster.refused', { count, name: picked.name }) : null, lines, detail: error.message });
  };

  const badRows = new Map<number, Issue[]>();
  if (outcome && !outcome.ok) for (const l of outcome.lines) if (l.issue?.row !== undefined) badRows.set(l.issue.row, [...(badRows.get(l.issue.row) ?? []), l.issue]);
  const nameOf = (id: string, kind: 'unit' | 'post') => {
    const n = kind === 'unit' ? units.get(id)?.name : areas.get(id)?.name;
    return n ? `${n} (${id})` : id;
  };
  const hhmm = (ms: number) => formatTime(ms, zone, true).slice(0, 16);

  return (
    <section className="admin-section admin-roster" aria-label={t('admin.roster.tab')}>
      <p className="admin-hint">{t('admin.roster.intro', { columns, zone })}</p>
      <div className={`admin-roster-drop${over ? ' over' : ''}`} data-testid="roster-drop"
        onDragOver={(ev) => { ev.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={onDrop}>
        <label className="button">{t('admin.roster.choose')}
          <input type="file" accept=".csv,text/csv" hidden data-testid="roster-file" onChange={(ev) => { const f = ev.target.files?.[0]; ev.target.value = ''; void take(f); }} />
        </label>
        <span>{t('admin.roster.drop')}</span>
        <button type="button" data-testid="roster-template" onClick={template}>{t('admin.roster.template')}</button>
      </div>

      {picked && parsed && (
        <div className="admin-roster-preview" data-testid="roster-preview" data-rows={parsed.rows.length}>
          <p>{t('admin.roster.preview', { name: picked.name, count: parsed.rows.length })}</p>
          {!parsed.header && <p className="err" data-testid="roster-not-header">{t('admin.roster.notHeader', { columns })}</p>}
          <div className="admin-roster-scroll">
            <table className="admin-table">
              <thead><tr>{(['row', 'unit', 'post', 'date', 'start', 'end', 'problem'] as const).map((c) => <th key={c}>{t(`admin.roster.cols.${c}`)}</th>)}</tr></thead>
              <tbody>
                {parsed.rows.map((r) => {
                  const bad = badRows.get(r.row);
                  const [unit = '', post = '', date = '', start = '', end = ''] = r.fields ?? [];
                  return (
                    <tr key={r.row} data-testid="roster-row" data-row={r.row} data-bad={bad ? 'true' : 'false'} className={bad ? 'bad' : undefined}>
                      <td>{r.row}</td>
                      <td>{unit && nameOf(unit, 'unit')}</td>
                      <td>{post && nameOf(post, 'post')}</td>
                      <td>{date}</td><td>{start}</td><td>{end}</td>
                      <td>{bad?.map((i) => issueText(t, i)).join(' · ')}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <button type="button" className="primary" data-testid="roster-import" disabled={busy} onClick={() => void importFile()}>
            {t('admin.roster.importN', { count: parsed.rows.length })}
          </button>
        </div>
      )}

      {outcome?.ok && <p className="ok" role="status" data-testid="roster-result" data-outcome="ok">{outcome.text}</p>}
      {outcome && !outcome.ok && (
        <div className="err admin-roster-refusal" role="alert" data-testid="roster-result" data-outcome={outcome.code}>
          <strong>{errorText(t, outcome.code)}</strong>
          {outcome.lead && <p className="admin-roster-lead">{outcome.lead}</p>}
          {outcome.lines.length > 0 && (
            <ul data-testid="roster-issues">
              {outcome.lines.map((l, i) => (
                <li key={i} data-row={l.issue?.row ?? ''} data-column={l.issue?.column ?? ''} data-code={l.issue?.code ?? ''}>{l.text}</li>
              ))}
            </ul>
          )}
          <details><summary>{t('admin.roster.hubSaid')}</summary><pre className="admin-grid-detail">{outcome.detail}</pre></details>
        </div>
      )}

      <div className="admin-roster-upcoming" data-testid="roster-upcoming" data-total={upcoming.data?.total ?? ''}>
        <h3>
          {upcoming.data && upcoming.data.total > upcoming.data.shifts.length
            ? t('admin.roster.upcomingSome', { shown: upcoming.data.shifts.length, total: upcoming.data.total })
            : t('admin.roster.upcoming', { total: upcoming.data?.total ?? '…' })}
          {' · '}<span className="muted">{t('admin.roster.zone', { zone })}</span>
        </h3>
        {upcoming.error && <LoadProblem code={upcoming.error} reload={upcoming.reload} />}
        {upcoming.data && upcoming.data.shifts.length === 0 && <p className="muted">{t('admin.roster.none')}</p>}
        {upcoming.data && upcoming.data.shifts.length > 0 && (
          <table className="admin-table">
            <thead><tr>{(['post', 'unit', 'start', 'end', 'source'] as const).map((c) => <th key={c}>{t(`admin.roster.upcomingCols.${c}`)}</th>)}</tr></thead>
            <tbody>
              {upcoming.data.shifts.map((s) => (
                <tr key={s.id} data-testid="roster-shift" data-unit={s.unitId} data-post={s.postId} data-starts={s.startsAt}>
                  <td>{nameOf(s.postId, 'post')}</td>
                  <td>{nameOf(s.unitId, 'unit')}</td>
                  <td>{hhmm(s.startsAt)}</td>
                  <td>{hhmm(s.endsAt)}</td>
                  <td>{t(`admin.roster.sources.${s.source}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  );
}

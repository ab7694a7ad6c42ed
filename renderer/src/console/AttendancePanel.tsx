// Attendance in the sidebar (电子考勤): who is on duty, late, missing and off post, per squad or per cell;
// the officers to look at by name; check-in override requests to grant or refuse; fence alerts to
// acknowledge; and a roll-call of a few officers drawn at random by the hub.
import { Fragment, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, useHub } from '../hub';
import { flyTo } from '../map/focus';
import { select } from '../state/selection';
import { attendanceMarks, currentShifts, exceptions, groupOf, offPost, tally, type AttendanceMark } from '../state/attendance';
import { ATTENDANCE_MARKS, LIVE } from '../map/theme';
import { freshness, shortAge } from '../map/freshness';
import { OutcomeLine, useCanDispatch, useCommand } from '../common/commands';
import { useNow } from '../common/useNow';

const show = (unitId: string) => {
  const sel = { kind: 'unit' as const, id: unitId };
  select(sel);
  flyTo(sel);
};

const MARK_COLOR = new Map<string, string>(ATTENDANCE_MARKS.map((m) => [m.mark, m.color]));
/** Most urgent first: the list reads like the map's exceptions. */
const MARK_ORDER: Record<AttendanceMark | 'due', number> = { missing: 0, late: 1, off: 2, on: 3, due: 4 };

/** One officer with the map's mark (same character and colour; grey with "?" while the fix is stale); a click shows the unit on the map. */
function Person({ unitId, name, mark, now }: { unitId: string; name: string; mark: AttendanceMark | 'due'; now: number }) {
  const { t } = useTranslation();
  const track = hub.positions.get(unitId);
  const fresh = track ? freshness(track.fix.t, now) : 'offline';
  const stale = fresh !== 'live';
  return (
    <li data-testid="att-person" data-unit={unitId} data-mark={mark} data-stale={stale}>
      {mark !== 'due' && (
        <span className="att-mark" style={{ background: stale ? LIVE.stale : MARK_COLOR.get(mark) }} title={t(`attendance.markName.${mark}`)}>
          {t(`attendance.mark.${mark}`)}{stale ? '?' : ''}
        </span>
      )}
      <button type="button" className="link" title={t('attendance.show', { unit: name })} onClick={() => show(unitId)}>{name}</button>
      <span className={mark === 'missing' ? 'bad' : mark === 'on' ? '' : 'warn'}>{t(`attendance.markName.${mark}`)}</span>
      {stale && <span className="muted">{track ? t('attendance.fixAge', { ago: shortAge(now - track.fix.t) }) : t('attendance.noFix')}</span>}
    </li>
  );
}

function OverrideRow({ id, unit, post, reason }: { id: string; unit: string; post: string; reason: string }) {
  const { t } = useTranslation();
  const [outcome, busy, run] = useCommand();
  const decide = (grant: boolean) => run((o) => hub.command('checkin:override', { requestId: id, grant, note: t(grant ? 'attendance.grantNote' : 'attendance.refuseNote') }, o));
  return (
    <li data-testid="override" data-override={id}>
      <span>{t('attendance.overrideAsk', { unit, post })}: {reason}</span>
      <button type="button" disabled={busy} onClick={() => decide(true)}>{t('attendance.grant')}</button>
      <button type="button" disabled={busy} onClick={() => decide(false)}>{t('attendance.refuse')}</button>
      <OutcomeLine outcome={outcome} />
    </li>
  );
}

function FenceRow({ id, unitId, unit, cleared }: { id: string; unitId: string; unit: string; cleared: boolean }) {
  const { t } = useTranslation();
  const [outcome, busy, run] = useCommand();
  return (
    <li data-testid="fence" data-fence={id} data-cleared={cleared}>
      <button type="button" className="link" onClick={() => show(unitId)}>{unit}</button>
      <span>{cleared ? t('attendance.back') : t('attendance.outside')}</span>
      <button type="button" disabled={busy} onClick={() => run((o) => hub.command('fence:acknowledge', { alertId: id }, o))}>{t('attendance.ack')}</button>
      <OutcomeLine outcome={outcome} />
    </li>
  );
}

function RollCallBox() {
  const { t } = useTranslation();
  const [outcome, busy, run] = useCommand();
  const rollCalls = useHub((s) => s.rollCalls);
  const units = useHub((s) => s.units);
  const latest = [...rollCalls.values()].sort((a, b) => b.at - a.at)[0];
  return (
    <div className="rollcall">
      <button type="button" disabled={busy} data-testid="rollcall-start" onClick={() => run((o) => hub.command('rollcall:start', { count: 3, areaId: null, answerWithinMin: 5 }, o))}>
        {t('attendance.rollCall', { n: 3, min: 5 })}
      </button>
      <OutcomeLine outcome={outcome} />
      {latest && (
        <p data-testid="rollcall" data-closed={latest.closed}>
          {t(latest.closed ? 'attendance.rollCallDone' : 'attendance.rollCallOpen', { id: latest.id })}{' '}
          {latest.targets.map((x) => `${units.get(x.unitId)?.name ?? x.unitId} ${t(`attendance.answer.${x.state}`)}`).join('，')}
        </p>
      )}
    </div>
  );
}

export function AttendancePanel() {
  const { t } = useTranslation();
  const canAct = useCanDispatch();
  const now = useNow(5000);
  const units = useHub((s) => s.units);
  const shifts = useHub((s) => s.shifts);
  const fences = useHub((s) => s.fences);
  const overrides = useHub((s) => s.overrides);
  const areas = useHub((s) => s.areas);
  const [by, setBy] = useState<'squad' | 'cell'>('squad');
  // `now` re-reads the hub clock every few seconds: shifts begin and end with no event.
  const rows = useMemo(() => tally(units, shifts, fences, hub.hubNow(), by), [units, shifts, fences, by, now]);
  const current = useMemo(() => currentShifts(shifts, hub.hubNow()), [shifts, now]);
  const marks = useMemo(() => attendanceMarks(shifts, fences, hub.hubNow()), [shifts, fences, now]);
  const [open, setOpen] = useState<string | null>(null);
  // The officers of each squad or cell with their marks, for the row opened.
  const members = useMemo(() => {
    if (!open) return [];
    const out: { unitId: string; mark: AttendanceMark | 'due' }[] = [];
    for (const [unitId, sh] of current) {
      const u = units.get(unitId);
      if (u && groupOf(u, sh, by) === open) out.push({ unitId, mark: marks.get(unitId) ?? 'due' });
    }
    return out.sort((a, b) => MARK_ORDER[a.mark] - MARK_ORDER[b.mark] || (units.get(a.unitId)?.name ?? '').localeCompare(units.get(b.unitId)?.name ?? ''));
  }, [open, current, units, by, marks]);
  if (shifts.size === 0 && fences.size === 0 && overrides.size === 0) return null;
  const out = offPost(fences);
  // Everyone the map marks as an exception (missing, late, then off post; newest first within each),
  // all of them: the list scrolls rather than leave anyone out.
  const attention = exceptions(marks, shifts, fences, hub.hubNow());
  const hubT = hub.hubNow();
  const total = rows.reduce((a, r) => ({ onDuty: a.onDuty + r.onDuty, late: a.late + r.late, missing: a.missing + r.missing, offPost: a.offPost + r.offPost }), { onDuty: 0, late: 0, missing: 0, offPost: 0 });
  const name = (id: string) => units.get(id)?.name ?? id;
  return (
    <section className="box attendance" data-testid="attendance">
      <h3>{t('attendance.title')}</h3>
      <p className="att-total" data-testid="attendance-total" data-on-duty={total.onDuty} data-late={total.late} data-missing={total.missing} data-off-post={out.size}>
        {t('attendance.total', { onDuty: total.onDuty, late: total.late, missing: total.missing, offPost: out.size })}
      </p>
      <div className="att-by">
        <label><input type="radio" checked={by === 'squad'} onChange={() => setBy('squad')} /> {t('attendance.bySquad')}</label>
        <label><input type="radio" checked={by === 'cell'} onChange={() => setBy('cell')} /> {t('attendance.byCell')}</label>
      </div>
      <table className="att-table">
        <thead><tr><th />{(['onDuty', 'late', 'missing', 'offPost'] as const).map((k) => <th key={k} title={t(`attendance.${k}`)}>{t(`attendance.col.${k}`)}</th>)}</tr></thead>
        <tbody>
          {rows.slice(0, 12).map((r) => {
            const label = by === 'cell' ? areas.get(r.key)?.name ?? r.key : r.key;
            return (
              <Fragment key={r.key}>
                <tr data-testid="att-row" data-key={r.key} className={open === r.key ? 'open' : ''} aria-expanded={open === r.key} onClick={() => setOpen(open === r.key ? null : r.key)}>
                  <td title={label}>{label}</td><td>{r.onDuty}</td>
                  <td className={r.late ? 'warn' : ''}>{r.late}</td><td className={r.missing ? 'bad' : ''}>{r.missing}</td><td className={r.offPost ? 'warn' : ''}>{r.offPost}</td>
                </tr>
                {open === r.key && (
                  <tr><td colSpan={5}>
                    <ul className="att-people" data-testid="att-members" aria-label={t('attendance.people', { name: label })}>
                      {members.map((m) => <Person key={m.unitId} unitId={m.unitId} name={name(m.unitId)} mark={m.mark} now={hubT} />)}
                    </ul>
                  </td></tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
      {attention.length > 0 && (
        <ul className="att-list" data-testid="attendance-late">
          {attention.map(({ unitId, mark }) => <Person key={unitId} unitId={unitId} name={name(unitId)} mark={mark} now={hubT} />)}
        </ul>
      )}
      {fences.size > 0 && (
        <ul className="att-list" data-testid="attendance-fences">
          {[...fences.values()].slice(0, 20).map((f) => <FenceRow key={f.id} id={f.id} unitId={f.unitId} unit={name(f.unitId)} cleared={f.clearedAt !== null} />)}
        </ul>
      )}
      {canAct && overrides.size > 0 && (
        <ul className="att-list" data-testid="attendance-overrides">
          {[...overrides.values()].map((o) => <OverrideRow key={o.id} id={o.id} unit={name(o.unitId)} post={areas.get(o.postId)?.name ?? o.postId} reason={o.reason} />)}
        </ul>
      )}
      {canAct && <RollCallBox />}
    </section>
  );
}

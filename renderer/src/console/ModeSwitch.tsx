// The duty manager's mode switch: which mode, for the city or (emergency only) one area, why, until
// when — and, before confirming, what will change there. Emergencies in force can be ended here too.
// The hub enforces the same rules (roles, reason, scope); this only makes them visible first.
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ModeName } from '../../../shared/domain';
import type { ModeProfile } from '../../../shared/modes';
import { hub, useHub } from '../hub';
import { modeReasonText, pick } from '../i18n';
import { OutcomeLine, useCommand } from '../common/commands';
import { useClock } from '../common/format';
import { areaOverrides, cityModeOf, modeAt, profileOf } from '../state/modes';
import { HolidayCalendarSection } from './HolidayCalendar';

const MODES: ModeName[] = ['daily', 'night', 'holiday', 'emergency'];
const DURATIONS_H = [0, 1, 2, 4, 8, 24];

export function useCanSwitchMode(): boolean {
  return useHub((s) => s.user?.role === 'duty_manager' || s.user?.role === 'admin');
}

/** What a switch changes, row by row: [label key, now, after]. */
function changes(now: ModeProfile, next: ModeProfile, routesNow: number, routesNext: number, t: (k: string, o?: Record<string, unknown>) => string) {
  const min = (s: number) => t('modeSwitch.minutes', { n: Math.round(s / 60) });
  return [
    ['modeSwitch.wall', t('modeSwitch.layout', { n: now.wall.layout }), t('modeSwitch.layout', { n: next.wall.layout })],
    ['modeSwitch.minStaff', String(now.minStaffPerCell), String(next.minStaffPerCell)],
    ['modeSwitch.ack', min(now.taskAckSec), min(next.taskAckSec)],
    ['modeSwitch.arrive', min(now.taskArriveSec), min(next.taskArriveSec)],
    ['modeSwitch.finish', min(now.taskFinishSec), min(next.taskFinishSec)],
    ['modeSwitch.checkIn', t('modeSwitch.minutes', { n: now.checkInIntervalMin }), t('modeSwitch.minutes', { n: next.checkInIntervalMin })],
    ['modeSwitch.routes', String(routesNow), String(routesNext)],
    ['modeSwitch.sound', t(`modeSwitch.sounds.${now.alarmSound}`), t(`modeSwitch.sounds.${next.alarmSound}`)],
  ] as const;
}

export function ModeSwitchDialog({ onClose, areaId: initialArea = null }: { onClose: () => void; areaId?: string | null }) {
  const { t, i18n } = useTranslation();
  const state = useHub((s) => s);
  const hubNow = hub.hubNow();
  const cityMode = cityModeOf(state, hubNow);
  const [mode, setMode] = useState<ModeName>(initialArea ? 'emergency' : cityMode === 'emergency' ? 'daily' : 'emergency');
  const [areaId, setAreaId] = useState<string | null>(initialArea);
  const [reason, setReason] = useState('');
  const [hours, setHours] = useState(0);
  const [outcome, busy, run] = useCommand();
  const canEdit = useCanSwitchMode();
  const areas = useMemo(() => [...state.areas.values()].filter((a) => a.kind === 'district' || a.kind === 'cell')
    .sort((a, b) => (a.kind === b.kind ? a.name.localeCompare(b.name, 'zh') : a.kind === 'district' ? -1 : 1)), [state.areas]);
  const scope = mode === 'emergency' ? areaId : null;
  const nowMode = modeAt(state.areas, areaOverrides(state, hubNow), cityMode, scope);
  const routesIn = (m: ModeName) => [...state.routes.values()].filter((r) => r.modes.includes(m)).length;
  const rows = changes(profileOf(state, nowMode), profileOf(state, mode), routesIn(nowMode), routesIn(mode), t);
  const label = (m: ModeName) => pick(profileOf(state, m).label, i18n.language);
  const valid = reason.trim().length >= 2 && !(scope === null && mode === cityMode && hours === 0);

  const confirm = async () => {
    const endsAt = hours > 0 ? hubNow + hours * 3600_000 : null;
    const done = await run((o) => hub.command('mode:switch', { mode, reason: reason.trim(), areaId: scope, endsAt }, o));
    if (done) onClose();
  };

  return (
    <div className="dialog-backdrop" role="presentation" onClick={onClose}>
      <div className="dialog mode-dialog" role="dialog" aria-label={t('modeSwitch.title')} data-testid="mode-dialog" onClick={(e) => e.stopPropagation()}>
        <h2>{t('modeSwitch.title')}</h2>
        <fieldset className="mode-choice">
          <legend>{t('modeSwitch.mode')}</legend>
          {MODES.map((m) => (
            <label key={m} className="mode-option" data-mode={m}>
              <input type="radio" name="mode" value={m} checked={mode === m} onChange={() => setMode(m)} /> {label(m)}
              {m === cityMode && <small> · {t('modeSwitch.current')}</small>}
            </label>
          ))}
        </fieldset>
        {mode === 'emergency' && (
          <label className="field">
            {t('modeSwitch.scope')}
            <select data-testid="mode-scope" value={areaId ?? ''} onChange={(e) => setAreaId(e.target.value || null)}>
              <option value="">{t('modeSwitch.city')}</option>
              {areas.map((a) => <option key={a.id} value={a.id}>{t(`kinds.${a.kind}`)} · {a.name}</option>)}
            </select>
          </label>
        )}
        <label className="field">
          {t('modeSwitch.reason')}
          <textarea data-testid="mode-reason" value={reason} maxLength={500} rows={2} onChange={(e) => setReason(e.target.value)} placeholder={t(`modeSwitch.reasonHints.${mode}`)} />
        </label>
        <label className="field">
          {t('modeSwitch.ends')}
          <select data-testid="mode-ends" value={hours} onChange={(e) => setHours(Number(e.target.value))}>
            {DURATIONS_H.map((h) => <option key={h} value={h}>{h === 0 ? t(mode === 'emergency' ? 'modeSwitch.untilEnded' : 'modeSwitch.untilNext') : t('modeSwitch.forHours', { n: h })}</option>)}
          </select>
        </label>
        <table className="mode-preview" data-testid="mode-preview">
          <thead><tr><th /><th>{t('modeSwitch.now', { mode: label(nowMode) })}</th><th>{t('modeSwitch.after', { mode: label(mode) })}</th></tr></thead>
          <tbody>
            {rows.map(([k, a, b]) => <tr key={k} className={a === b ? '' : 'changed'}><th>{t(k)}</th><td>{a}</td><td>{b}</td></tr>)}
          </tbody>
        </table>
        <p className="hint">{scope ? t('modeSwitch.areaOnly', { area: state.areas.get(scope)?.name ?? scope }) : mode === 'emergency' ? t('modeSwitch.emergencyHolds') : t('modeSwitch.holdsUntilBoundary')}</p>
        <div className="actions">
          <button type="button" onClick={onClose}>{t('modeSwitch.cancel')}</button>
          <button type="button" className={mode === 'emergency' ? 'danger' : 'primary'} data-testid="mode-confirm" disabled={!valid || busy} onClick={confirm}>
            {t('modeSwitch.confirm', { mode: label(mode) })}
          </button>
        </div>
        <OutcomeLine outcome={outcome} />
        <HolidayCalendarSection canEdit={canEdit} />
      </div>
    </div>
  );
}

/** Emergencies in force (the city's and each area's), each with who declared it and an end button. */
export function EmergencyList() {
  const { t } = useTranslation();
  const state = useHub((s) => s);
  const clock = useClock();
  const canEnd = useCanSwitchMode();
  const hubNow = hub.hubNow();
  const items = [
    ...(cityModeOf(state, hubNow) === 'emergency' && state.mode ? [{ areaId: null as string | null, change: state.mode }] : []),
    ...[...areaOverrides(state, hubNow).values()].map((c) => ({ areaId: c.areaId, change: c })),
  ];
  if (items.length === 0) return null;
  return (
    <ul className="emergencies" data-testid="emergencies">
      {items.map(({ areaId, change }) => (
        <li key={areaId ?? 'city'} data-area={areaId ?? 'city'}>
          <strong>{t('modeSwitch.emergencyIn', { area: areaId ? (state.areas.get(areaId)?.name ?? areaId) : t('modeSwitch.city') })}</strong>
          <span> · {t('modeSwitch.by', { who: change.by, at: clock(change.at), reason: modeReasonText(t, change.reason) })}</span>
          {change.endsAt && <span> · {t('modeSwitch.endsAt', { at: clock(change.endsAt) })}</span>}
          {canEnd && <EndEmergency areaId={areaId} />}
        </li>
      ))}
    </ul>
  );
}

function EndEmergency({ areaId }: { areaId: string | null }) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const [open, setOpen] = useState(false);
  const [outcome, busy, run] = useCommand();
  if (!open) return <button type="button" data-testid="end-emergency" onClick={() => setOpen(true)}>{t('modeSwitch.end')}</button>;
  return (
    <span className="end-emergency">
      <input data-testid="end-reason" value={reason} maxLength={500} placeholder={t('modeSwitch.endReason')} onChange={(e) => setReason(e.target.value)} />
      <button type="button" data-testid="end-confirm" disabled={reason.trim().length < 2 || busy}
        onClick={() => run((o) => hub.command('mode:end', { areaId, reason: reason.trim() }, o))}>{t('modeSwitch.endConfirm')}</button>
      {/* 解除 pressed by mistake is taken back here: nothing has been sent */}
      <button type="button" data-testid="end-cancel" disabled={busy} onClick={() => { setOpen(false); setReason(''); }}>{t('modeSwitch.cancel')}</button>
      <OutcomeLine outcome={outcome} />
    </span>
  );
}

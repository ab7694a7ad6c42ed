// Notices over the map (an SOS has its own banner above everything: SosAlarm.tsx). Notices (off-site
// check-ins, cameras down, geofence, missed check-ins, overdue tasks) are a counter in the top-right corner that opens a list there: they never cover the map's centre.
// Every line is worded here from the alert's kind and subject, in the operator's language.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { hub, useHub, type ConsoleAlert, type HubState } from '../hub';
import { pick } from '../i18n';
import { flyTo } from '../map/focus';
import { select, type Selection } from '../state/selection';
import { useNow } from './useNow';
import { OutcomeLine, useCanDispatch, useCommand } from './commands';
import { formatTime } from './format';
import './alarms.css';

/** Most serious first. */
export const NOTICE_ORDER: readonly ConsoleAlert['kind'][] = [
  'geofence', 'attendance_missing', 'task_overdue', 'bodycam_stopped', 'rollcall_missed', 'attendance_late', 'override_requested', 'checkin_missed', 'camera_down', 'checkin_off_site',
];
const NOTICE_WINDOW_MS = 10 * 60_000;

/** What an alert is about, as something the map can show: a camera, a unit, or a task's unit. */
function subjectOf(s: HubState, a: ConsoleAlert): Selection | null {
  if (s.cameras.has(a.subjectId)) return { kind: 'camera', id: a.subjectId };
  if (s.units.has(a.subjectId)) return { kind: 'unit', id: a.subjectId };
  const task = s.tasks.get(a.subjectId);
  return task ? { kind: 'unit', id: task.unitId } : null;
}

/** An alert in the operator's words, from its kind and subject; the hub's own sentence only as a last resort. */
export function noticeText(t: TFunction, lang: string, s: HubState, a: ConsoleAlert): string {
  const task = s.tasks.get(a.subjectId);
  const unitName = s.units.get(task?.unitId ?? a.subjectId)?.name;
  const camera = s.cameras.get(a.subjectId)?.name;
  const post = (a.postId && s.areas.get(a.postId)?.name) || a.postId || '';
  switch (a.kind) {
    case 'checkin_off_site': return t('alarm.checkin', { unit: unitName ?? a.subjectId, post });
    case 'camera_down': if (camera) return t('alarm.camera_down', { camera }); break;
    case 'geofence': if (unitName) return t('alarm.geofence', { unit: unitName }); break;
    case 'checkin_missed': if (unitName) return t('alarm.checkin_missed', { unit: unitName }); break;
    case 'task_overdue': if (unitName) return t('alarm.task_overdue', { unit: unitName }); break;
    case 'bodycam_stopped': {
      const b = s.bodycamAlerts.get(a.id);
      const name = s.units.get(b?.unitId ?? a.subjectId)?.name;
      if (!b || !name) break;
      const hm = (ms: number) => formatTime(ms, s.timeZone).slice(0, 5);
      const key = b.clearedBy === 'recording' ? 'alarm.bodycam_recording' : b.clearedBy === 'task_over' ? 'alarm.bodycam_task_over' : 'alarm.bodycam_stopped';
      return t(key, { unit: name, since: hm(b.since), at: b.clearedAt === null ? '' : hm(b.clearedAt) });
    }
  }
  return a.message ? pick(a.message, lang) : t(`alarmKind.${a.kind}`);
}

/** Body camera alerts are acknowledged here; the notice goes once one is (state.ts). */
function AckBodycam({ id }: { id: string }) {
  const { t } = useTranslation();
  const [outcome, busy, run] = useCommand();
  return (
    <>
      <button type="button" disabled={busy} data-testid="bodycam-ack" onClick={() => run((o) => hub.command('bodycam:acknowledge', { alertId: id }, o))}>{t('alarm.ack')}</button>
      <OutcomeLine outcome={outcome} />
    </>
  );
}

/**
 * Body camera alerts not yet acknowledged, as notices: from the alerts the hub raised in this session,
 * and from the snapshot for those raised before the console connected. They stay until acknowledged
 * (cleared ones too, worded as cleared), not only for the notice window.
 */
function bodycamNotices(s: HubState): ConsoleAlert[] {
  return [...s.bodycamAlerts.values()].filter((b) => b.acknowledgedAt === null).map((b) => ({
    id: b.id, at: b.raisedAt, kind: 'bodycam_stopped', subjectId: b.unitId, postId: null, message: s.alerts.find((x) => x.id === b.id)?.message ?? null,
  }));
}

export function AlarmBar() {
  const { t, i18n } = useTranslation();
  const state = useHub((s) => s);
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  const [open, setOpen] = useState(false);
  useNow();
  const rank = (a: ConsoleAlert) => NOTICE_ORDER.indexOf(a.kind);
  const canDispatch = useCanDispatch();
  const notices = [...state.alerts.filter((a) => a.kind !== 'bodycam_stopped' && hub.hubNow() - a.at < NOTICE_WINDOW_MS), ...bodycamNotices(state)]
    .filter((a) => !dismissed.has(a.id))
    .sort((a, b) => rank(a) - rank(b) || b.at - a.at);
  const show = (sel: Selection) => {
    select(sel);
    flyTo(sel);
  };
  return (
    <>
      {notices.length > 0 && (
        <div className="notices" data-testid="notices" data-count={notices.length}>
          <button type="button" className={`notice-count notice-${notices[0]!.kind}`} aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="notice-count">
            {t('alarm.notices', { count: notices.length })}
          </button>
          {open && (
            <ul className="notice-list" role="log">
              {notices.map((a) => {
                const sel = subjectOf(state, a);
                return (
                  <li key={a.id} className={`notice notice-${a.kind}`} data-kind={a.kind} data-alert={a.id}>
                    <span>{noticeText(t, i18n.language, state, a)}</span>
                    {sel && <button type="button" onClick={() => show(sel)}>{t('alarm.show')}</button>}
                    {a.kind === 'bodycam_stopped' && canDispatch && <AckBodycam id={a.id} />}
                    <button type="button" aria-label={t('panel.close')} onClick={() => setDismissed((d) => new Set(d).add(a.id))}>×</button>
                  </li>
                );
              })}
            </ul>
          )}
        </div>
      )}
    </>
  );
}

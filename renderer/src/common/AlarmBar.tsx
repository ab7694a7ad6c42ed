// Alarms across the top of the map: every raised SOS until someone acknowledges it, and off-site
// check-ins. An operator must not be able to miss these, so they do not hide behind a panel.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import './alarms.css';
import { hub, useHub, type ConsoleAlert } from '../hub';
import { pick } from '../i18n';
import { flyTo } from '../map/focus';
import { AckSosButton, useCanDispatch } from './commands';
import { ago } from './format';
import { select, type Selection } from '../state/selection';
import { useNow } from './useNow';

export function AlarmBar() {
  const { t, i18n } = useTranslation();
  const sos = useHub((s) => s.sos);
  const units = useHub((s) => s.units);
  const areas = useHub((s) => s.areas);
  const alerts = useHub((s) => s.alerts);
  const cameras = useHub((s) => s.cameras);
  const tasks = useHub((s) => s.tasks);
  const canDispatch = useCanDispatch();
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  useNow();
  const raised = [...sos.values()].filter((x) => x.state === 'raised').sort((a, b) => b.raisedAt - a.raisedAt);
  const recentAlerts = alerts.filter((a) => !dismissed.has(a.id) && hub.hubNow() - a.at < 10 * 60_000).slice(0, 3);
  if (raised.length === 0 && recentAlerts.length === 0) return null;
  const show = (sel: Selection) => {
    select(sel);
    flyTo(sel);
  };
  /** What an alert is about, as something the map can show: a camera, a unit, or a task's unit. */
  const subject = (a: ConsoleAlert): Selection | null => {
    if (cameras.has(a.subjectId)) return { kind: 'camera', id: a.subjectId };
    if (units.has(a.subjectId)) return { kind: 'unit', id: a.subjectId };
    const task = tasks.get(a.subjectId);
    return task ? { kind: 'unit', id: task.unitId } : null;
  };
  const text = (a: ConsoleAlert) => a.message
    ? pick(a.message, i18n.language)
    : t('alarm.checkin', { unit: units.get(a.subjectId)?.name ?? a.subjectId, post: (a.postId && areas.get(a.postId)?.name) ?? a.postId });
  return (
    <div className="alarms" role="alert" data-testid="alarms">
      {raised.map((x) => (
        <div key={x.id} className="alarm alarm-sos">
          <span>{t('alarm.sos', { unit: units.get(x.unitId)?.name ?? x.unitId, ago: ago(t, hub.hubNow() - x.raisedAt) })}</span>
          <button type="button" onClick={() => show({ kind: 'unit', id: x.unitId })}>{t('alarm.show')}</button>
          {canDispatch && <AckSosButton sosId={x.id} />}
        </div>
      ))}
      {recentAlerts.map((a) => {
        const sel = subject(a);
        return (
          <div key={a.id} className={`alarm alarm-${a.kind}`} data-kind={a.kind}>
            <span>{text(a)}</span>
            {sel && <button type="button" onClick={() => show(sel)}>{t('alarm.show')}</button>}
            <button type="button" aria-label={t('panel.close')} onClick={() => setDismissed((d) => new Set(d).add(a.id))}>×</button>
          </div>
        );
      })}
    </div>
  );
}

// Alarms across the top of the map: every raised SOS until someone acknowledges it, and off-site
// check-ins. An operator must not be able to miss these, so they do not hide behind a panel.
import { useTranslation } from 'react-i18next';
import { hub, useHub } from '../hub';
import { flyTo } from '../map/focus';
import { AckSosButton, useCanDispatch } from './actions';
import { ago } from './format';
import { select } from './selection';
import { useNow } from './useNow';

export function AlarmBar() {
  const { t } = useTranslation();
  const sos = useHub((s) => s.sos);
  const units = useHub((s) => s.units);
  const areas = useHub((s) => s.areas);
  const alerts = useHub((s) => s.alerts);
  const canDispatch = useCanDispatch();
  useNow();
  const raised = [...sos.values()].filter((x) => x.state === 'raised').sort((a, b) => b.raisedAt - a.raisedAt);
  const recentAlerts = alerts.filter((a) => hub.hubNow() - a.at < 10 * 60_000).slice(0, 2);
  if (raised.length === 0 && recentAlerts.length === 0) return null;
  const show = (unitId: string) => {
    select({ kind: 'unit', id: unitId });
    flyTo({ kind: 'unit', id: unitId });
  };
  return (
    <div className="alarms" role="alert" data-testid="alarms">
      {raised.map((x) => (
        <div key={x.id} className="alarm alarm-sos">
          <span>{t('alarm.sos', { unit: units.get(x.unitId)?.name ?? x.unitId, ago: ago(t, hub.hubNow() - x.raisedAt) })}</span>
          <button type="button" onClick={() => show(x.unitId)}>{t('alarm.show')}</button>
          {canDispatch && <AckSosButton sosId={x.id} />}
        </div>
      ))}
      {recentAlerts.map((a) => (
        <div key={a.id} className="alarm alarm-checkin">
          <span>{t('alarm.checkin', { unit: units.get(a.unitId)?.name ?? a.unitId, post: areas.get(a.postId)?.name ?? a.postId })}</span>
          <button type="button" onClick={() => show(a.unitId)}>{t('alarm.show')}</button>
        </div>
      ))}
    </div>
  );
}

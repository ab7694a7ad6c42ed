// A unit's body-worn camera (执法记录仪) in its panel: recording or not, battery, storage left, last
// upload, all as of the reading's time; a reading older than BODYCAM_RULES.staleAfterMs is shown as
// stale (what was, not what is). Its alert (not recording during a task) with acknowledge.
import { useTranslation } from 'react-i18next';
import { bodycamAge } from '../../../../shared/bodycam';
import { hub, useHub } from '../../hub';
import { OutcomeLine, useCanDispatch, useCommand } from '../../common/commands';
import { ago, useClock } from '../../common/format';
import { useNow } from '../../common/useNow';
import { Row } from './Row';

/** MB as a person reads storage: GB with one decimal from 1 GB up. */
export function storageText(mb: number): string {
  return mb >= 1024 ? `${(mb / 1024).toFixed(1)} GB` : `${mb} MB`;
}

export function UnitBodycam({ unitId }: { unitId: string }) {
  const { t } = useTranslation();
  const status = useHub((s) => s.bodycam.get(unitId));
  const alert = useHub((s) => [...s.bodycamAlerts.values()].filter((a) => a.unitId === unitId).sort((a, b) => b.raisedAt - a.raisedAt)[0]);
  const canDispatch = useCanDispatch();
  const clock = useClock();
  const [outcome, busy, run] = useCommand();
  useNow();
  const hm = (ms: number) => clock(ms).slice(0, 5);
  if (!status) {
    return (
      <div className="bodycam" data-testid="bodycam" data-state="none">
        <h3>{t('bodycam.title')}</h3>
        <p className="muted">{t('bodycam.none')}</p>
      </div>
    );
  }
  const now = hub.hubNow();
  const { ageMs, stale } = bodycamAge(status, now);
  // The reading's own time is the device's; its age is measured on the hub's clock (when it came).
  const asOf = { time: hm(status.receivedAt), ago: ago(t, ageMs) };
  return (
    <div className={`bodycam${stale ? ' stale' : ''}`} data-testid="bodycam" data-state={stale ? 'stale' : status.recording ? 'recording' : 'not_recording'}>
      <h3>{t('bodycam.title')}</h3>
      <p className={stale ? 'bodycam-stale' : 'muted'} data-testid="bodycam-asof">{t(stale ? 'bodycam.stale' : 'bodycam.asOf', asOf)}</p>
      <Row k={t('bodycam.recording')} v={<span className={`pill ${status.recording ? 'rec-on' : 'rec-off'}`} data-testid="bodycam-recording">{t(status.recording ? 'bodycam.on' : 'bodycam.off')}</span>} />
      <Row k={t('bodycam.battery')} v={<span data-testid="bodycam-battery">{status.batteryPct}%</span>} />
      <Row k={t('bodycam.storage')} v={<span data-testid="bodycam-storage">{storageText(status.storageFreeMb)}</span>} />
      <Row
        k={t('bodycam.lastUpload')}
        v={<span data-testid="bodycam-upload">{status.lastUploadAt === null ? t('bodycam.never') : t('bodycam.uploadAt', { time: hm(status.lastUploadAt), ago: ago(t, Math.max(0, status.t - status.lastUploadAt) + ageMs) })}</span>}
      />
      {alert && (
        <div className={alert.clearedAt === null ? 'sos-box' : 'bodycam-cleared'} data-testid="bodycam-alert" data-cleared={alert.clearedAt !== null}>
          <strong>{t(alert.clearedBy === 'recording' ? 'bodycam.alertCleared' : alert.clearedBy === 'task_over' ? 'bodycam.alertTaskOver' : 'bodycam.alertOpen', { since: hm(alert.since) })}</strong>
          {alert.acknowledgedBy !== null ? <span>{t('bodycam.acked', { by: alert.acknowledgedBy })}</span>
            : canDispatch && <button type="button" disabled={busy} data-testid="bodycam-panel-ack" onClick={() => run((o) => hub.command('bodycam:acknowledge', { alertId: alert.id }, o))}>{t('bodycam.ack')}</button>}
          <OutcomeLine outcome={outcome} />
        </div>
      )}
    </div>
  );
}

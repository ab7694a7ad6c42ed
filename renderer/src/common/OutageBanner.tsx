// Full width, under the header, while the hub is away: since when, that what is on screen is as of then
// (staffing and camera states are shown as unknown, not as alarms), and which commands wait to be sent.
import { useTranslation } from 'react-i18next';
import { hub, useHub } from '../hub';
import { ago, useClock } from './format';
import { useNow } from './useNow';

export function OutageBanner() {
  const { t } = useTranslation();
  const c = useHub((s) => s.connection);
  const queued = useHub((s) => s.queued);
  const time = useClock();
  const now = useNow();
  if (c.status !== 'reconnecting' && c.status !== 'offline') return null;
  return (
    <div className="outage" role="alert" data-testid="outage" data-status={c.status}>
      <strong>{t('outage.title', { time: time(c.since), ago: ago(t, now - c.since) })}</strong>
      <span>{t('outage.body')}</span>
      {queued.length > 0 && (
        <ul className="outage-queue" data-testid="outage-queue">
          <li>{t('outage.queued', { count: queued.length })}</li>
          {queued.map((q) => (
            <li key={q.commandId} data-command-id={q.commandId}>
              {t(`commands.${q.name}`, { defaultValue: q.name })} · <code>{q.commandId.slice(0, 8)}</code>
              <button type="button" onClick={() => hub.cancelQueued(q.commandId)}>{t('panel.cancelQueued')}</button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

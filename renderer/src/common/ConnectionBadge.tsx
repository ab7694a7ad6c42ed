// Live / reconnecting / offline since …: on the console header and every wall strip.
import { useTranslation } from 'react-i18next';
import { useHub } from '../hub';
import { useClock } from './format';

export function ConnectionBadge() {
  const { t } = useTranslation();
  const c = useHub((s) => s.connection);
  const clock = useClock();
  return (
    <div className={`conn conn-${c.status}`} role="status" data-testid="conn-status" data-status={c.status}>
      <span className="dot" />
      {t(`conn.${c.status}`, { time: clock(c.since) })}
    </div>
  );
}

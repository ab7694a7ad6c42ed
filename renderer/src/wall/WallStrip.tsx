// A thin line on top of every wall: mode, connection, hub clock — so a frozen wall is never mistaken for a live one.
import { useTranslation } from 'react-i18next';
import { hub, useHub } from '../hub';
import { pick } from '../i18n';
import { useClock } from '../common/format';
import { ConnectionBadge } from '../common/ConnectionBadge';
import { useNow } from '../common/useNow';
import { useCityProfile } from '../state/modes';

export function WallStrip() {
  const { t, i18n } = useTranslation();
  const status = useHub((s) => s.connection.status);
  const now = useNow();
  const clock = useClock();
  const profile = useCityProfile(now + hub.getState().clockSkewMs);
  return (
    // Anything but live turns the whole strip amber/red: a wall that stopped updating must look it from across the room.
    <header className={`wall-strip wall-conn-${status}`}>
      <div className={`mode mode-${profile.mode}`} data-testid="wall-mode">
        {t('wall.mode')} · {pick(profile.label, i18n.language)}
      </div>
      <ConnectionBadge />
      <div className="spacer" />
      {status !== 'live' && <div className="wall-stale">{t('wall.stale')}</div>}
      <div className="clock">{clock(now + hub.getState().clockSkewMs)}</div>
    </header>
  );
}

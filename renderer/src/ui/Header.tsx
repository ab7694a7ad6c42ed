// Always visible: who is signed in, the operating mode, the connection status (live / reconnecting /
// offline since …) and the hub clock.
import { useTranslation } from 'react-i18next';
import { MODE_PROFILES } from '../../../shared/modes';
import { hub, useHub } from '../hub';
import { pick } from '../i18n';
import { clock } from './format';
import { LangSwitch } from './LangSwitch';
import { useNow } from './useNow';

export function ConnectionBadge() {
  const { t } = useTranslation();
  const c = useHub((s) => s.connection);
  return (
    <div className={`conn conn-${c.status}`} role="status" data-testid="conn-status" data-status={c.status}>
      <span className="dot" />
      {t(`conn.${c.status}`, { time: clock(c.since) })}
    </div>
  );
}

export function Header() {
  const { t, i18n } = useTranslation();
  const user = useHub((s) => s.user);
  const mode = useHub((s) => s.mode);
  const now = useNow();
  const profile = MODE_PROFILES[mode?.mode ?? 'daily'];
  return (
    <header className="header">
      <div className="brand">{t('app.title')}</div>
      <div className={`mode mode-${profile.mode}`} data-testid="mode">
        {t('header.mode')} · {pick(profile.label, i18n.language)}
      </div>
      <ConnectionBadge />
      <div className="spacer" />
      <div className="clock" title="hub time">{clock(now + (hub.getState().clockSkewMs))}</div>
      {user && <div className="user">{t('header.user', { name: user.username, role: t(`roles.${user.role}`) })}</div>}
      <LangSwitch />
      <button type="button" onClick={() => hub.logout()}>{t('header.logout')}</button>
    </header>
  );
}

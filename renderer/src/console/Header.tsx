// Always visible: who is signed in, the operating mode, the connection status (live / reconnecting /
// offline since …) and the hub clock.
import { useTranslation } from 'react-i18next';
import { hub, useHub } from '../hub';
import { modeReasonText, pick } from '../i18n';
import { useClock } from '../common/format';
import { ConnectionBadge } from '../common/ConnectionBadge';
import { LangSwitch } from '../common/LangSwitch';
import { setScale, useScale } from '../state/scale';
import { useNow } from '../common/useNow';
import { useState } from 'react';
import { useCityProfile } from '../state/modes';
import { ModeSwitchDialog, useCanSwitchMode } from './ModeSwitch';

export function Header() {
  const { t, i18n } = useTranslation();
  const user = useHub((s) => s.user);
  const mode = useHub((s) => s.mode);
  const now = useNow();
  const clock = useClock();
  const scale = useScale();
  const profile = useCityProfile(now + hub.getState().clockSkewMs);
  const canSwitch = useCanSwitchMode();
  const [switching, setSwitching] = useState(false);
  return (
    <header className="header">
      {/* A wall panel has room for the short name only; the title is in the tooltip. */}
      <div className="brand" title={t('app.title')}>{t(scale === 'wall' ? 'app.short' : 'app.title')}</div>
      <div className={`mode mode-${profile.mode}`} data-testid="mode"
        title={mode ? t('modeSwitch.by', { who: mode.by, at: clock(mode.at), reason: modeReasonText(t, mode.reason) }) : undefined}>
        {t('header.mode')} · {pick(profile.label, i18n.language)}
      </div>
      {canSwitch && <button type="button" data-testid="mode-open" onClick={() => setSwitching(true)}>{t('modeSwitch.open')}</button>}
      {switching && <ModeSwitchDialog onClose={() => setSwitching(false)} />}
      <ConnectionBadge />
      <div className="spacer" />
      <div className="clock" title={t('header.clock')}>{clock(now + (hub.getState().clockSkewMs))}</div>
      {user && <div className="user">{t('header.user', { name: user.username, role: t(`roles.${user.role}`) })}</div>}
      <ScaleSwitch />
      <LangSwitch />
      <button type="button" onClick={() => hub.logout()}>{t('header.logout')}</button>
    </header>
  );
}

/** Desk or wall scale for this display (remembered per display). */
function ScaleSwitch() {
  const { t } = useTranslation();
  const scale = useScale();
  return (
    <button type="button" data-testid="scale-switch" aria-pressed={scale === 'wall'} onClick={() => setScale(scale === 'wall' ? 'desk' : 'wall')}>
      {t(scale === 'wall' ? 'header.deskScale' : 'header.wallScale')}
    </button>
  );
}

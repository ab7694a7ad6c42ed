// The admin's screen (系统设置): people, devices, cameras, mode profiles, the grid and the roster of a real center, each change an audited hub
// command. The hub refuses every one of them to anyone but an admin, whatever a screen shows.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, useHub } from '../hub';
import { ConnectionBadge } from '../common/ConnectionBadge';
import { LangSwitch } from '../common/LangSwitch';
import { OutageBanner } from '../common/OutageBanner';
import { StorageBanner } from '../common/StorageBanner';
import { useClock } from '../common/format';
import { useNow } from '../common/useNow';
import { Cameras } from './Cameras';
import { Devices } from './Devices';
import { Grid } from './Grid';
import { People } from './People';
import { Profiles } from './Profiles';
import { Roster } from './Roster';
import './admin.css';

const TABS = ['people', 'devices', 'cameras', 'profiles', 'grid', 'roster'] as const;
type Tab = (typeof TABS)[number];

export function Admin() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<Tab>('people');
  const user = useHub((s) => s.user);
  const now = useNow();
  const clock = useClock();
  return (
    <div className="admin">
      <header className="admin-header">
        <div className="brand" title={t('app.title')}>{t('app.short')} · {t('admin.title')}</div>
        <nav className="admin-tabs" role="tablist">
          {TABS.map((k) => (
            <button key={k} type="button" role="tab" aria-selected={tab === k} data-testid={`admin-tab-${k}`} onClick={() => setTab(k)}>{k === 'grid' || k === 'roster' ? t(`admin.${k}.tab`) : t(`admin.tabs.${k}`)}</button>
          ))}
        </nav>
        <ConnectionBadge />
        <div className="spacer" />
        <div className="clock" title={t('header.clock')}>{clock(now + hub.getState().clockSkewMs)}</div>
        {user && <div className="user">{t('header.user', { name: user.username, role: t(`roles.${user.role}`) })}</div>}
        <LangSwitch />
        <button type="button" onClick={() => hub.logout()}>{t('header.logout')}</button>
      </header>
      <OutageBanner />
      <StorageBanner />
      <main className="admin-main">
        {tab === 'people' && <People />}
        {tab === 'devices' && <Devices />}
        {tab === 'cameras' && <Cameras />}
        {tab === 'profiles' && <Profiles />}
        {tab === 'grid' && <Grid />}
        {tab === 'roster' && <Roster />}
      </main>
    </div>
  );
}

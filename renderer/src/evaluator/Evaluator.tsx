// The evaluator's screen (考评): a period, and three views of the record over it — the audit timeline, the
// map replay and the 1000-point scorecard — with the chain check always one button away. Read-only: the
// hub refuses any command from this role whatever the screen shows.
import { useState, type CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { hub, useHub } from '../hub';
import { ConnectionBadge } from '../common/ConnectionBadge';
import { LangSwitch } from '../common/LangSwitch';
import { OutageBanner } from '../common/OutageBanner';
import { StorageBanner } from '../common/StorageBanner';
import { useClock } from '../common/format';
import { useNow } from '../common/useNow';
import { WALL_ZOOM, setScale, useScale } from '../state/scale';
import { PeriodBar } from './PeriodBar';
import { Replay } from './Replay';
import { Scorecard } from './Scorecard';
import { Timeline, type TimelineFilter } from './Timeline';
import { VerifyChain } from './VerifyChain';
import './evaluator.css';

export type Tab = 'timeline' | 'replay' | 'scorecard';

export function Evaluator() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<Tab>('timeline');
  const [filter, setFilter] = useState<TimelineFilter>({});
  const [replayUnit, setReplayUnit] = useState<string | null>(null);
  const [replayIncident, setReplayIncident] = useState<string | null>(null);
  const user = useHub((s) => s.user);
  const now = useNow();
  const clock = useClock();
  const scale = useScale();
  const openReplay = (unitId: string) => {
    setReplayIncident(null);
    setReplayUnit(unitId);
    setTab('replay');
  };
  const openIncident = (incidentId: string) => {
    setReplayIncident(incidentId);
    setTab('replay');
  };
  const openEntries = (f: TimelineFilter) => {
    setFilter(f);
    setTab('timeline');
  };
  return (
    <div className={`evaluator scale-${scale}`} data-scale={scale} style={{ '--ui-zoom': scale === 'wall' ? WALL_ZOOM : 1 } as CSSProperties}>
      <header className="ev-header">
        <div className="brand" title={t('app.title')}>{t('app.short')} · {t('evaluator.title')}</div>
        <nav className="ev-tabs" role="tablist">
          {(['timeline', 'replay', 'scorecard'] as const).map((k) => (
            <button key={k} type="button" role="tab" aria-selected={tab === k} data-testid={`tab-${k}`} onClick={() => setTab(k)}>{t(`evaluator.tabs.${k}`)}</button>
          ))}
        </nav>
        <ConnectionBadge />
        <div className="spacer" />
        <div className="clock" title={t('header.clock')}>{clock(now + hub.getState().clockSkewMs)}</div>
        {user && <div className="user">{t('header.user', { name: user.username, role: t(`roles.${user.role}`) })}</div>}
        <button type="button" data-testid="scale-switch" aria-pressed={scale === 'wall'} onClick={() => setScale(scale === 'wall' ? 'desk' : 'wall')}>
          {t(scale === 'wall' ? 'header.deskScale' : 'header.wallScale')}
        </button>
        <LangSwitch />
        <button type="button" onClick={() => hub.logout()}>{t('header.logout')}</button>
      </header>
      <OutageBanner />
      <StorageBanner />
      <div className="ev-bar">
        <PeriodBar />
        <VerifyChain />
      </div>
      <div className="ev-body">
        {tab === 'timeline' && <Timeline filter={filter} onFilter={setFilter} onReplayUnit={openReplay} onReplayIncident={openIncident} />}
        {tab === 'replay' && <Replay unitId={replayUnit} onUnit={setReplayUnit} incidentId={replayIncident} onIncident={setReplayIncident} />}
        {tab === 'scorecard' && <Scorecard onEntries={openEntries} onReplayUnit={openReplay} />}
      </div>
    </div>
  );
}

// Left column: search, layer switches with counts, and the legend.
import type { CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { useHub } from '../hub';
import { LIVE } from '../map/theme';
import { LAYER_GROUPS, toggleLayer, useLayerSwitches } from './layers';
import { Search } from './Search';

function LayerSwitchList() {
  const { t } = useTranslation();
  const on = useLayerSwitches();
  const counts = useHub((s) => s.cameras.size + ',' + s.routes.size + ',' + s.areas.size + ',' + [...s.incidents.values()].filter((i) => i.state !== 'closed').length);
  const [cams, routes, areas, incidents] = counts.split(',');
  const n = { points: cams, lines: routes, areas, incidents };
  return (
    <section className="box">
      <h3>{t('layers.title')}</h3>
      {LAYER_GROUPS.map((g) => (
        <label key={g} className="switch">
          <input type="checkbox" checked={on[g]} onChange={() => toggleLayer(g)} data-testid={`layer-${g}`} />
          <span>{t(`layers.${g}`)}</span>
          <span className="count">{n[g]}</span>
        </label>
      ))}
    </section>
  );
}

type Swatch = { label: string; color: string; shape: 'dot' | 'ring' | 'square' | 'diamond' | 'line' | 'fill' | 'arrow' };

function Legend() {
  const { t } = useTranslation();
  const rows: Swatch[] = [
    { label: t('legend.camLive'), color: LIVE.ok, shape: 'dot' },
    { label: t('legend.camStale'), color: LIVE.task, shape: 'dot' },
    { label: t('legend.camOffline'), color: LIVE.sos, shape: 'dot' },
    { label: t('legend.camIdle'), color: LIVE.idle, shape: 'dot' },
    { label: t('legend.vehicle'), color: LIVE.patrol, shape: 'arrow' },
    { label: t('legend.route'), color: LIVE.route, shape: 'line' },
    { label: t('legend.unitOnPost'), color: LIVE.ok, shape: 'dot' },
    { label: t('legend.unitPatrolling'), color: LIVE.patrol, shape: 'dot' },
    { label: t('legend.unitOnTask'), color: LIVE.task, shape: 'dot' },
    { label: t('legend.unitSos'), color: LIVE.sos, shape: 'dot' },
    { label: t('legend.unitStale'), color: LIVE.stale, shape: 'ring' },
    { label: t('legend.unitOffline'), color: LIVE.offline, shape: 'ring' },
    { label: t('legend.cellOk'), color: LIVE.cellOk, shape: 'fill' },
    { label: t('legend.cellShort'), color: LIVE.cellShort, shape: 'fill' },
    { label: t('legend.prio1'), color: LIVE.prio1, shape: 'ring' },
    { label: t('legend.prio2'), color: LIVE.prio2, shape: 'ring' },
    { label: t('legend.prio3'), color: LIVE.prio3, shape: 'ring' },
  ];
  return (
    <section className="box legend">
      <h3>{t('legend.title')}</h3>
      <ul>
        {rows.map((r) => (
          <li key={r.label}>
            <span className={`sw sw-${r.shape}`} style={{ '--c': r.color } as CSSProperties} />
            {r.label}
          </li>
        ))}
      </ul>
    </section>
  );
}

export function Sidebar() {
  return (
    <aside className="sidebar">
      <Search />
      <LayerSwitchList />
      <Legend />
    </aside>
  );
}

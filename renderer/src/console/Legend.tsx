// What each colour and shape on the map means.
import type { CSSProperties } from 'react';
import { useTranslation } from 'react-i18next';
import { LIVE } from '../map/theme';

type Swatch = { label: string; color: string; shape: 'dot' | 'ring' | 'square' | 'diamond' | 'line' | 'fill' | 'arrow' };

export function Legend() {
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

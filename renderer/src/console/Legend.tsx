// What each shape and colour on the map means, grouped by kind. The swatches are drawn the way the map draws
// them (same shapes, same colours from map/theme), so the legend cannot drift from the map.
import { useTranslation } from 'react-i18next';
import { ATTENDANCE_MARKS, LIVE } from '../map/theme';

type Shape = 'post' | 'camera' | 'camera-off' | 'square' | 'diamond' | 'officer' | 'officer-sos' | 'ring' | 'arrow' | 'line' | 'fill' | 'triangle' | 'triangle-ring';

/**
 * An attendance mark as the map draws it: a ring round the officer's dot, and a badge with the mark's
 * character. The character is HTML text in the legend's own size (at wall scale ≥ 24 px like every other
 * word), not SVG text scaled down with the swatch.
 */
function MarkSwatch({ text, color }: { text: string; color: string }) {
  return (
    <span className="sw-mark">
      <svg className="sw" viewBox="0 0 23 23" aria-hidden="true">
        <circle cx="11.5" cy="11.5" r="8.5" fill="none" stroke={color} strokeWidth="3" />
        <circle cx="11.5" cy="11.5" r="4.5" fill={LIVE.ok} />
      </svg>
      <span className="att-mark" style={{ background: color }}>{text}</span>
    </span>
  );
}

function Swatch({ shape, color }: { shape: Shape; color: string }) {
  const body = (() => {
    switch (shape) {
      case 'camera':
      case 'camera-off':
        return (
          <>
            <rect x="1" y="6" width="13" height="11" rx="2" fill={color} />
            <path d="M14 11.5 L22 6 L22 17 Z" fill={color} />
            {shape === 'camera-off' && <path d="M2 2 L21 21" stroke="#0b0f16" strokeWidth="3" />}
            {shape === 'camera-off' && <path d="M1 4 L19 22" stroke={color} strokeWidth="1.5" />}
          </>
        );
      case 'post': return <circle cx="11.5" cy="11.5" r="7.5" fill="none" stroke={color} strokeWidth="2" />;
      case 'square': return <rect x="4" y="4" width="15" height="15" fill={color} />;
      case 'diamond': return <path d="M11.5 2 L21 11.5 L11.5 21 L2 11.5 Z" fill={color} />;
      case 'officer': return <circle cx="11.5" cy="11.5" r="7" fill={color} stroke="#0b0f16" />;
      case 'officer-sos': return <><circle cx="11.5" cy="11.5" r="10.5" fill={color} fillOpacity="0.35" stroke={color} strokeWidth="2" /><circle cx="11.5" cy="11.5" r="5.5" fill={color} /></>;
      case 'ring': return <circle cx="11.5" cy="11.5" r="7" fill={color} fillOpacity="0.35" stroke={color} strokeWidth="2" />;
      case 'arrow': return <path d="M11.5 2 L20 21 L11.5 16 L3 21 Z" fill={color} />;
      case 'line': return <path d="M1 11.5 H22" stroke={color} strokeWidth="4" strokeLinecap="round" />;
      case 'fill': return <rect x="1" y="3" width="21" height="17" fill={color} fillOpacity="0.55" stroke={color} />;
      case 'triangle': return <path d="M11.5 2 L21.5 20 L1.5 20 Z" fill={color} />;
      case 'triangle-ring': return <path d="M11.5 4 L20 19 L3 19 Z" fill="none" stroke={color} strokeWidth="2.5" strokeLinejoin="round" />;
    }
  })();
  return <svg className="sw" viewBox="0 0 23 23" aria-hidden="true">{body}</svg>;
}

const MARK_LEGEND = { late: 'legend.attLate', missing: 'legend.attMissing', off: 'legend.attOff', on: 'legend.attOn' } as const;

type Row = { label: string; shape: Shape; color: string; mark?: string };

export function Legend() {
  const { t } = useTranslation();
  const groups: { title: string; rows: Row[] }[] = [
    {
      title: t('legend.cameras'),
      rows: [
        { label: t('legend.camLive'), color: LIVE.camLive, shape: 'camera' },
        { label: t('legend.camStale'), color: LIVE.camStale, shape: 'camera' },
        { label: t('legend.camOffline'), color: LIVE.camOffline, shape: 'camera-off' },
        { label: t('legend.camIdle'), color: LIVE.camIdle, shape: 'camera' },
        { label: t('legend.camVehicle'), color: LIVE.camLive, shape: 'square' },
        { label: t('legend.camBody'), color: LIVE.camLive, shape: 'diamond' },
      ],
    },
    {
      title: t('legend.units'),
      rows: [
        { label: t('legend.unitOnPost'), color: LIVE.ok, shape: 'officer' },
        { label: t('legend.unitPatrolling'), color: LIVE.patrol, shape: 'officer' },
        { label: t('legend.unitOnTask'), color: LIVE.task, shape: 'officer' },
        { label: t('legend.unitSos'), color: LIVE.sos, shape: 'officer-sos' },
        { label: t('legend.unitStale'), color: LIVE.stale, shape: 'ring' },
        { label: t('legend.unitOffline'), color: LIVE.offline, shape: 'ring' },
        { label: t('legend.vehicle'), color: LIVE.patrol, shape: 'arrow' },
        { label: t('legend.route'), color: LIVE.route, shape: 'line' },
      ],
    },
    {
      title: t('legend.attendance'),
      rows: [
        ...ATTENDANCE_MARKS.map((m) => ({ label: t(MARK_LEGEND[m.mark]), color: m.color, shape: 'ring' as const, mark: t(`attendance.mark.${m.mark}`) })),
        { label: t('legend.attStale'), color: LIVE.stale, shape: 'ring', mark: `${t('attendance.mark.late')}?` },
      ],
    },
    {
      title: t('legend.areas'),
      rows: [
        { label: t('legend.cellOk'), color: LIVE.cellOk, shape: 'fill' },
        { label: t('legend.cellShort'), color: LIVE.cellShort, shape: 'fill' },
        { label: t('legend.cellUnknown'), color: LIVE.unknown, shape: 'fill' },
        { label: t('legend.postHeld'), color: LIVE.ok, shape: 'post' },
        { label: t('legend.postOpen'), color: LIVE.cellShort, shape: 'post' },
      ],
    },
    {
      title: t('legend.incidents'),
      rows: [
        { label: t('legend.prio1'), color: LIVE.prio1, shape: 'triangle' },
        { label: t('legend.prio2'), color: LIVE.prio2, shape: 'triangle' },
        { label: t('legend.prio3'), color: LIVE.prio3, shape: 'triangle' },
        { label: t('legend.dispatched'), color: LIVE.prio2, shape: 'triangle-ring' },
      ],
    },
  ];
  return (
    <section className="box legend" data-testid="legend">
      <h3>{t('legend.title')}</h3>
      {groups.map((g) => (
        <div key={g.title} className="legend-group">
          <h4>{g.title}</h4>
          <ul>
            {g.rows.map((r) => (
              <li key={r.label} data-mark={r.mark}>
                {r.mark ? <MarkSwatch text={r.mark} color={r.color} /> : <Swatch shape={r.shape} color={r.color} />}
                {r.label}
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

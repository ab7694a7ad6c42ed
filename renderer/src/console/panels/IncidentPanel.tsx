// An incident: priority, state, its tasks, and the nearest units to assign it to.
import { useTranslation } from 'react-i18next';
import { INCIDENT_CATEGORY_LABELS, type LngLat, type Unit } from '../../../../shared/domain';
import { distanceM } from '../../../../shared/geo';
import { hub, useHub } from '../../hub';
import { pick } from '../../i18n';
import { freshness } from '../../map/freshness';
import { OutcomeLine, useCanDispatch, useCommand } from '../../common/commands';
import { distance, useClock } from '../../common/format';
import { select } from '../../state/selection';
import { Row } from './Row';

function nearestUnits(units: ReadonlyMap<string, Unit>, at: LngLat, n: number): { unit: Unit; d: number }[] {
  const now = hub.hubNow();
  const out: { unit: Unit; d: number }[] = [];
  for (const u of units.values()) {
    if (u.status === 'off_duty' || u.status === 'sos') continue;
    const tr = hub.positions.get(u.id);
    if (!tr || freshness(tr.fix.t, now) === 'offline') continue;
    out.push({ unit: u, d: distanceM(at, [tr.fix.lng, tr.fix.lat]) });
  }
  return out.sort((a, b) => a.d - b.d).slice(0, n);
}

export function IncidentPanel({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const inc = useHub((s) => s.incidents.get(id));
  const tasks = useHub((s) => s.tasks);
  const units = useHub((s) => s.units);
  const canDispatch = useCanDispatch();
  const clock = useClock();
  const [outcome, busy, run] = useCommand();
  if (!inc) return null;
  const mine = [...tasks.values()].filter((x) => x.incidentId === id);
  const near = inc.state === 'open' || inc.state === 'dispatched' ? nearestUnits(units, inc.position, 6) : [];
  return (
    <>
      <h2>{pick(INCIDENT_CATEGORY_LABELS[inc.category], i18n.language)}</h2>
      <Row k={t('panel.priority')} v={<span className={`pill prio-${inc.priority}`}>{t(`priority.${inc.priority}`)}</span>} />
      <Row k={t('panel.state')} v={t(`incidentState.${inc.state}`)} />
      <Row k={t('panel.created')} v={clock(inc.createdAt)} />
      {inc.description && <Row k={t('panel.description')} v={inc.description} />}
      {mine.length > 0 && (
        <>
          <h3>{t('panel.tasks')}</h3>
          <ul className="list">
            {mine.map((x) => (
              <li key={x.id}>
                <a onClick={() => select({ kind: 'unit', id: x.unitId })}>{units.get(x.unitId)?.name ?? x.unitId}</a> · {t(`taskState.${x.state}`)}
              </li>
            ))}
          </ul>
        </>
      )}
      {canDispatch && near.length > 0 && (
        <div className="form">
          <h3>{t('panel.assignTo')}</h3>
          <ul className="list">
            {near.map(({ unit, d }) => (
              <li key={unit.id}>
                <span>{t('panel.nearest', { name: unit.name, dist: distance(d) })} · {t(`status.${unit.status}`)}</span>
                <button type="button" disabled={busy} data-testid="assign-unit"
                  onClick={() => run((o) => hub.command('task:assign', { incidentId: id, unitId: unit.id, note: '' }, o))}>
                  {t('panel.assign')}
                </button>
              </li>
            ))}
          </ul>
          <OutcomeLine outcome={outcome} />
        </div>
      )}
    </>
  );
}

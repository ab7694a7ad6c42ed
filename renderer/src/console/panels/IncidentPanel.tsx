// An incident: priority, state, its tasks, and the units the hub recommends to assign it to.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { INCIDENT_CATEGORY_LABELS } from '../../../../shared/domain';
import type { RecommendResult } from '../../../../shared/protocol/recommend';
import { hub, useHub } from '../../hub';
import { pick } from '../../i18n';
import { OutcomeLine, useCanDispatch, useCommand } from '../../common/commands';
import { distance, useClock } from '../../common/format';
import { select } from '../../state/selection';
import { Row } from './Row';

/**
 * The hub's ranked units for this incident (road ETA, status, own cell, load; each with its reasons),
 * asked again when the incident's tasks change. While the hub is away there is no list, not a stale one.
 */
function useRecommendation(incidentId: string, wanted: boolean, tasksKey: string): RecommendResult | null {
  const live = useHub((s) => s.connection.status === 'live');
  const [result, setResult] = useState<RecommendResult | null>(null);
  useEffect(() => {
    setResult(null);
    if (!wanted || !live) return;
    let gone = false;
    hub.request('units:recommend', { incidentId, limit: 6 }).then((r) => { if (!gone) setResult(r); }, () => { if (!gone) setResult(null); });
    return () => { gone = true; };
  }, [incidentId, wanted, live, tasksKey]);
  return result;
}

export function IncidentPanel({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const inc = useHub((s) => s.incidents.get(id));
  const tasks = useHub((s) => s.tasks);
  const units = useHub((s) => s.units);
  const canDispatch = useCanDispatch();
  const clock = useClock();
  const [outcome, busy, run] = useCommand();
  const mine = [...tasks.values()].filter((x) => x.incidentId === id);
  const rec = useRecommendation(id, !!inc && (inc.state === 'open' || inc.state === 'dispatched'), mine.map((x) => `${x.id}:${x.state}`).join());
  if (!inc) return null;
  const near = rec?.suggestions ?? [];

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
            {near.map((r) => (
              <li key={r.unitId} data-testid="recommended" data-unit={r.unitId}>
                <span>
                  {t('panel.nearest', { name: units.get(r.unitId)?.name ?? r.unitId, dist: distance(r.distanceM) })}
                  {' · '}{t('recommend.eta', { min: Math.max(1, Math.round(r.etaSec / 60)) })}
                  {r.how === 'straight_line' && <> · <em>{t('recommend.straight')}</em></>}
                  <br /><small>{r.reasons.filter((x) => x.key !== 'recommend.eta').map((x) => t(x.key, x.params ?? {})).join(' · ')}</small>
                </span>
                <button type="button" disabled={busy} data-testid="assign-unit"
                  onClick={() => run((o) => hub.command('task:assign', { incidentId: id, unitId: r.unitId, note: '' }, o))}>
                  {t('panel.assign')}
                </button>
              </li>
            ))}
          </ul>
          {rec && <p className="hint" data-testid="recommend-excluded">{t('recommend.excluded', rec.excluded)}</p>}
          <OutcomeLine outcome={outcome} />
        </div>
      )}
    </>
  );
}

// A unit: status, position age, assignment, its SOS, an officer's body camera, and assigning it an incident.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { INCIDENT_CATEGORY_LABELS } from '../../../../shared/domain';
import { distanceM } from '../../../../shared/geo';
import { hub, useHub } from '../../hub';
import { pick } from '../../i18n';
import { freshness } from '../../map/freshness';
import { AckSosButton, OutcomeLine, useCanDispatch, useCommand } from '../../common/commands';
import { ago, distance } from '../../common/format';
import { useNow } from '../../common/useNow';
import { select } from '../../state/selection';
import { Row } from './Row';
import { UnitTalks } from './UnitTalks';
import { UnitBodycam } from './UnitBodycam';

function useOpenIncidents() {
  return useHub((s) => s.incidents);
}

export function UnitPanel({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const unit = useHub((s) => s.units.get(id));
  const areas = useHub((s) => s.areas);
  const routes = useHub((s) => s.routes);
  const sos = useHub((s) => [...s.sos.values()].find((x) => x.unitId === id && x.state === 'raised'));
  const incidents = useOpenIncidents();
  const canDispatch = useCanDispatch();
  const [incidentId, setIncidentId] = useState('');
  const [outcome, busy, run] = useCommand();
  useNow();
  if (!unit) return null;
  const track = hub.positions.get(id);
  const now = hub.hubNow();
  const fresh = track ? freshness(track.fix.t, now) : null;
  const here = track?.trail.at(-1);
  const open = [...incidents.values()]
    .filter((i) => i.state === 'open' || i.state === 'dispatched')
    .sort((a, b) => (here ? distanceM(here, a.position) - distanceM(here, b.position) : a.priority - b.priority))
    .slice(0, 12);
  return (
    <>
      <h2>{unit.name}</h2>
      <Row k={t(`kinds.${unit.kind}`)} v={unit.badge ?? unit.plate ?? unit.id} />
      <Row k={t('panel.status')} v={<span className={`pill st-${unit.status}`}>{t(`status.${unit.status}`)}</span>} />
      <Row
        k=""
        v={track ? `${t(`freshness.${fresh}`)} · ${t('panel.lastFix', { ago: ago(t, now - track.fix.t) })}` : t('freshness.none')}
      />
      {unit.squad && <Row k={t('panel.squad')} v={unit.squad} />}
      {unit.cellId && <Row k={t('panel.cell')} v={areas.get(unit.cellId)?.name ?? unit.cellId} />}
      {unit.postId && <Row k={t('panel.post')} v={areas.get(unit.postId)?.name ?? unit.postId} />}
      {unit.routeId && <Row k={t('panel.route')} v={routes.get(unit.routeId)?.name ?? unit.routeId} />}
      {sos && (
        <div className="sos-box">
          <strong>{t('panel.sosRaised', { ago: ago(t, now - sos.raisedAt) })}</strong>
          {canDispatch && <AckSosButton sosId={sos.id} />}
        </div>
      )}
      {unit.kind === 'officer' && <UnitBodycam unitId={id} />}
      <div className="actions">
        {unit.cameraId && (
          <button type="button" onClick={() => select({ kind: 'camera', id: unit.cameraId! })}>{t('panel.openVideo')}</button>
        )}
      </div>
      {canDispatch && (
        <div className="form">
          <h3>{t('panel.assignIncident')}</h3>
          {open.length === 0 ? (
            <p className="muted">{t('panel.noIncidents')}</p>
          ) : (
            <>
              <select value={incidentId} onChange={(e) => setIncidentId(e.target.value)} data-testid="assign-incident">
                <option value="" />
                {open.map((i) => (
                  <option key={i.id} value={i.id}>
                    {pick(INCIDENT_CATEGORY_LABELS[i.category], i18n.language)} · P{i.priority}
                    {here ? ` · ${distance(distanceM(here, i.position))}` : ''}
                  </option>
                ))}
              </select>
              <button type="button" className="primary" disabled={!incidentId || busy}
                onClick={() => run((o) => hub.command('task:assign', { incidentId, unitId: id, note: '' }, o))}>
                {t('panel.assign')}
              </button>
            </>
          )}
          <OutcomeLine outcome={outcome} />
        </div>
      )}
      <UnitTalks unitId={id} />
    </>
  );
}

// An incident: what and where it is, where it came from, its tasks (state, time left, reassign, cancel), the
// units the hub recommends to assign it to, amendments, and its trace.
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { INCIDENT_CATEGORY_LABELS, type Incident } from '../../../../shared/domain';
import { findSubtype } from '../../../../shared/incidents';
import type { RecommendResult } from '../../../../shared/protocol/recommend';
import { hub, useHub } from '../../hub';
import { pick } from '../../i18n';
import { OutcomeLine, useCanDispatch, useCommand } from '../../common/commands';
import { distance, useClock } from '../../common/format';
import { select } from '../../state/selection';
import { IncidentTasks } from './IncidentTasks';
import { IncidentTrace } from './IncidentTrace';
import { Row } from './Row';
import { reasonText } from '../reasons';

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

/** Where the incident came from, as entered: a camera (linked), a caller, a reporting unit and its photo, an alarm. */
function SourceRow({ source }: { source: Incident['source'] }) {
  const { t } = useTranslation();
  const cameras = useHub((s) => s.cameras);
  const units = useHub((s) => s.units);
  const [photo, setPhoto] = useState<string | null>(null);
  const kind = t(`dispatch.sources.${source.kind}`);
  let detail: ReactNode = null;
  if (source.kind === 'camera') detail = <a onClick={() => select({ kind: 'camera', id: source.cameraId })}>{cameras.get(source.cameraId)?.name ?? source.cameraId}</a>;
  if (source.kind === 'phone') detail = <>{t('dispatch.caller', { name: source.callerName, number: source.callerNumber })}{source.text && <><br />{source.text}</>}</>;
  if (source.kind === 'alarm') detail = t('dispatch.alarmOf', { alarm: source.alarm, subject: source.subjectId });
  if (source.kind === 'field') {
    const photoId = source.photoId;
    detail = (
      <>
        {source.unitId && t('dispatch.reportedBy', { unit: units.get(source.unitId)?.name ?? source.unitId })}
        {photoId && !photo && (
          <> <button type="button" data-testid="show-photo"
            onClick={() => hub.request('photo:get', { photoId }).then((r) => setPhoto(`data:${r.mime};base64,${r.base64}`), () => undefined)}>{t('dispatch.showPhoto')}</button></>
        )}
        {photo && <img src={photo} alt={t('dispatch.photo')} className="photo" data-testid="incident-photo" />}
      </>
    );
  }
  return <Row k={t('dispatch.source')} v={<span data-testid="incident-source" data-source={source.kind}>{kind}{detail && <> · {detail}</>}</span>} />;
}

function AmendForm({ incidentId }: { incidentId: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [text, setText] = useState('');
  const [outcome, busy, run] = useCommand();
  const send = async () => {
    if (await run((o) => hub.command('incident:amend', { incidentId, reason, text }, o))) {
      setReason('');
      setText('');
      setOpen(false);
    }
  };
  return (
    <div className="form">
      <button type="button" aria-pressed={open} onClick={() => setOpen(!open)} data-testid="amend-open">{t('dispatch.amend')}</button>
      {open && (
        <>
          <h3>{t('dispatch.amendTitle')}</h3>
          <label>{t('dispatch.amendReason')}<input value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} data-testid="amend-reason" /></label>
          <label>{t('dispatch.amendText')}<textarea value={text} rows={2} maxLength={2000} onChange={(e) => setText(e.target.value)} data-testid="amend-text" /></label>
          <button type="button" className="primary" disabled={busy || reason.trim().length < 2 || text.trim() === ''} onClick={send} data-testid="amend-send">{t('dispatch.amendSend')}</button>
        </>
      )}
      <OutcomeLine outcome={outcome} />
    </div>
  );
}

export function IncidentPanel({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const inc = useHub((s) => s.incidents.get(id));
  const tasks = useHub((s) => s.tasks);
  const units = useHub((s) => s.units);
  const areas = useHub((s) => s.areas);
  const alerts = useHub((s) => s.alerts);
  const canDispatch = useCanDispatch();
  const clock = useClock();
  const [outcome, busy, run] = useCommand();
  const [showTrace, setShowTrace] = useState(false);
  const mine = [...tasks.values()].filter((x) => x.incidentId === id);
  const tasksKey = mine.map((x) => `${x.id}:${x.state}`).join();
  const rec = useRecommendation(id, !!inc && (inc.state === 'open' || inc.state === 'dispatched'), tasksKey);
  if (!inc) return null;
  const near = rec?.suggestions ?? [];
  const subtype = findSubtype(inc.category, inc.subtype);
  const cell = inc.place.cellId ? areas.get(inc.place.cellId)?.name ?? inc.place.cellId : null;
  const traceKey = `${inc.updatedAt}|${inc.state}|${tasksKey}|${alerts.filter((a) => a.subjectId === id || mine.some((x) => x.id === a.subjectId)).length}`;

  return (
    <>
      <h2>{pick(INCIDENT_CATEGORY_LABELS[inc.category], i18n.language)}{subtype && <> · {pick(subtype, i18n.language)}</>}</h2>
      <Row k={t('panel.priority')} v={<span className={`pill prio-${inc.priority}`}>{t(`priority.${inc.priority}`)}</span>} />
      <Row k={t('panel.state')} v={<span data-testid="incident-state" data-state={inc.state}>{t(`incidentState.${inc.state}`)}</span>} />
      <Row k={t('panel.created')} v={clock(inc.createdAt)} />
      <SourceRow source={inc.source} />
      {(inc.place.street || cell) && (
        <Row k={t('dispatch.place')} v={<span data-testid="incident-place">
          {inc.place.street && t('dispatch.street', { street: inc.place.street, m: inc.place.streetM ?? 0 })}
          {inc.place.street && cell && ' · '}{cell}
        </span>} />
      )}
      {inc.description && <Row k={t('panel.description')} v={inc.description} />}
      {inc.amendments > 0 && <Row k="" v={t('dispatch.amendments', { n: inc.amendments })} />}
      <IncidentTasks tasks={mine} candidates={near} />
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
                  <br /><small>{r.reasons.filter((x) => x.key !== 'recommend.eta').map((x) => reasonText(t, x, areas)).join(' · ')}</small>
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
      {canDispatch && <AmendForm incidentId={id} />}
      <div className="actions">
        <button type="button" aria-pressed={showTrace} onClick={() => setShowTrace(!showTrace)} data-testid="trace-open">{t('dispatch.trace')}</button>
      </div>
      {showTrace && <IncidentTrace incidentId={id} refreshKey={traceKey} />}
    </>
  );
}

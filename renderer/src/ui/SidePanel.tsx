// Right column: details of what was clicked, and what the operator can do about it.
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { INCIDENT_CATEGORY_LABELS, IncidentCategory, type LngLat, type Unit } from '../../../shared/domain';
import { distanceM } from '../../../shared/geo';
import { MODE_PROFILES } from '../../../shared/modes';
import { hub, useHub } from '../hub';
import { pick } from '../i18n';
import { freshness } from '../map/freshness';
import { streamLook } from '../map/layers/CamerasLayer';
import { flyTo } from '../map/focus';
import { VideoTile } from '../video';
import { AckSosButton, OutcomeLine, useCanDispatch, useCommand } from './actions';
import { ago, clock, distance } from './format';
import { useNow } from './useNow';
import { select, useSelection, type Selection } from './selection';

const getStreamUrl = (cameraId: string) => hub.streamUrl(cameraId);

function Row({ k, v }: { k: string; v: ReactNode }) {
  return (
    <div className="row">
      <span className="k">{k}</span>
      <span className="v">{v}</span>
    </div>
  );
}

function CameraPanel({ id }: { id: string }) {
  const { t } = useTranslation();
  const cam = useHub((s) => s.cameras.get(id));
  const health = useHub((s) => s.streams.get(id));
  const unit = useHub((s) => (cam?.unitId ? s.units.get(cam.unitId) : undefined));
  const skew = useHub((s) => s.clockSkewMs);
  const [requestedAt, setRequestedAt] = useState<number | null>(null);
  if (!cam) return null;
  const look = streamLook(health);
  return (
    <>
      <h2>{cam.name}</h2>
      <Row k={t('kinds.camera')} v={t(`camKind.${cam.kind}`)} />
      <Row k={t('panel.state')} v={<span className={`pill look-${look}`} data-testid="stream-look">{t(`stream.${look}`)}</span>} />
      {health?.reason && <Row k="" v={health.reason} />}
      {cam.key && <Row k="" v={t('panel.key')} />}
      {cam.facing !== null && <Row k="" v={t('panel.facing', { deg: Math.round(cam.facing) })} />}
      {unit && <Row k="" v={<a onClick={() => select({ kind: 'unit', id: unit.id })}>{t('panel.rides', { unit: unit.name })}</a>} />}
      <div className="actions">
        <button type="button" className="primary" onClick={() => setRequestedAt(performance.now())} data-testid="open-video">{t('panel.openVideo')}</button>
      </div>
      {requestedAt !== null && (
        <div className="video-slot">
          <VideoTile camera={cam} getStreamUrl={getStreamUrl} health={health} requestedAt={requestedAt} hubClockOffsetMs={skew} subtitle={unit?.name} />
        </div>
      )}
    </>
  );
}

function useOpenIncidents() {
  return useHub((s) => s.incidents);
}

function UnitPanel({ id }: { id: string }) {
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
                onClick={() => run(() => hub.command('task:assign', { incidentId, unitId: id, note: '' }))}>
                {t('panel.assign')}
              </button>
            </>
          )}
          <OutcomeLine outcome={outcome} />
        </div>
      )}
    </>
  );
}

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

function IncidentPanel({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const inc = useHub((s) => s.incidents.get(id));
  const tasks = useHub((s) => s.tasks);
  const units = useHub((s) => s.units);
  const canDispatch = useCanDispatch();
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
                  onClick={() => run(() => hub.command('task:assign', { incidentId: id, unitId: unit.id, note: '' }))}>
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

function AreaPanel({ id }: { id: string }) {
  const { t } = useTranslation();
  const area = useHub((s) => s.areas.get(id));
  const units = useHub((s) => s.units);
  if (!area) return null;
  const assigned = [...units.values()].filter((u) => u.cellId === id || u.postId === id);
  return (
    <>
      <h2>{area.name}</h2>
      <Row k={t(`kinds.${area.kind}`)} v={area.id} />
      {assigned.length > 0 && (
        <ul className="list">
          {assigned.map((u) => (
            <li key={u.id}>
              <a onClick={() => { select({ kind: 'unit', id: u.id }); flyTo({ kind: 'unit', id: u.id }); }}>{u.name}</a> · {t(`status.${u.status}`)}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function RoutePanel({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const route = useHub((s) => s.routes.get(id));
  const units = useHub((s) => s.units);
  if (!route) return null;
  const on = [...units.values()].filter((u) => u.routeId === id);
  return (
    <>
      <h2>{route.name}</h2>
      <Row k={t('kinds.route')} v={route.roads.join(' · ')} />
      <Row k={t('header.mode')} v={route.modes.map((m) => pick(MODE_PROFILES[m].label, i18n.language)).join(' · ')} />
      <ul className="list">
        {on.map((u) => (
          <li key={u.id}><a onClick={() => { select({ kind: 'unit', id: u.id }); flyTo({ kind: 'unit', id: u.id }); }}>{u.name}</a> · {u.plate}</li>
        ))}
      </ul>
    </>
  );
}

function PlacePanel({ at }: { at: LngLat }) {
  const { t, i18n } = useTranslation();
  const canDispatch = useCanDispatch();
  const [category, setCategory] = useState<IncidentCategory>('cityscape');
  const [priority, setPriority] = useState<1 | 2 | 3>(2);
  const [description, setDescription] = useState('');
  const [outcome, busy, run] = useCommand<{ incident: { id: string } }>();
  const create = async () => {
    const res = await run(() => hub.command('incident:create', { category, priority, position: at, description }));
    if (res) select({ kind: 'incident', id: res.incident.id });
  };
  return (
    <>
      <h2>{t('kinds.place')}</h2>
      <Row k="" v={`${at[1].toFixed(5)}, ${at[0].toFixed(5)}`} />
      {canDispatch && (
        <div className="form">
          <h3>{t('panel.createHere')}</h3>
          <label>{t('panel.category')}
            <select value={category} onChange={(e) => setCategory(e.target.value as IncidentCategory)} data-testid="new-category">
              {IncidentCategory.options.map((c) => <option key={c} value={c}>{pick(INCIDENT_CATEGORY_LABELS[c], i18n.language)}</option>)}
            </select>
          </label>
          <label>{t('panel.priority')}
            <select value={priority} onChange={(e) => setPriority(Number(e.target.value) as 1 | 2 | 3)}>
              {[1, 2, 3].map((p) => <option key={p} value={p}>{t(`priority.${p}`)}</option>)}
            </select>
          </label>
          <label>{t('panel.description')}
            <textarea value={description} onChange={(e) => setDescription(e.target.value)} rows={3} maxLength={2000} />
          </label>
          <button type="button" className="primary" disabled={busy} onClick={create} data-testid="create-incident">{t('panel.create')}</button>
          <OutcomeLine outcome={outcome} />
        </div>
      )}
    </>
  );
}

function body(sel: Selection) {
  switch (sel.kind) {
    case 'camera': return <CameraPanel id={sel.id} />;
    case 'unit': return <UnitPanel id={sel.id} />;
    case 'incident': return <IncidentPanel id={sel.id} />;
    case 'area': return <AreaPanel id={sel.id} />;
    case 'route': return <RoutePanel id={sel.id} />;
    case 'place': return <PlacePanel at={sel.at} />;
  }
}

export function SidePanel() {
  const { t } = useTranslation();
  const sel = useSelection();
  if (!sel) return null;
  return (
    <aside className="panel" data-testid="side-panel" data-kind={sel.kind} data-id={'id' in sel ? sel.id : ''}>
      <button type="button" className="close" onClick={() => select(null)} aria-label={t('panel.close')}>×</button>
      <div className="panel-body" key={sel.kind === 'place' ? sel.at.join(',') : `${sel.kind}:${sel.id}`}>{body(sel)}</div>
    </aside>
  );
}

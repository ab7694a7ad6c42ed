// The map replay: the period's history on the same map layers as the live console, driven by a replay
// clock (play, pause, 1×–60×, scrub), one district or the whole city, and one unit's track over the period.
// What retention keeps is said, and said again where the replay time is older than the full-rate period.
// One incident can be replayed instead of the period: its trace (`incident:trace`) over its own span, its
// units' tracks played on the map and drawn as trails, its entries listed and marked as the clock passes them.
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Incident, PositionFix, Unit } from '../../../shared/domain';
import type { IncidentTrace, TraceEntry } from '../../../shared/incidents';
import type { RetentionPolicyResult, TimelineEntry } from '../../../shared/protocol/reads';
import { DAY_MS } from '../../../shared/protocol/reads';
import { hub, useHub } from '../hub';
import { useClock } from '../common/format';
import type { City } from '../map/city';
import { MapView } from '../map/MapView';
import { AreasLayer } from '../map/layers/AreaLayers';
import { BasemapLayer } from '../map/layers/BasemapLayer';
import { CamerasLayer } from '../map/layers/CamerasLayer';
import { IncidentsLayer } from '../map/layers/IncidentsLayer';
import { RoutesLayer } from '../map/layers/RoutesLayer';
import { OfficersLayer, VehiclesLayer } from '../map/layers/UnitLayers';
import { useLiveCity } from '../state/live-city';
import { usePeriod } from './period';
import { ReplayFeed } from './replay-feed';
import { TraceFeed, type Feed } from './trace-feed';
import { TrackLayer } from './TrackLayer';
import { bounds } from './bounds';
import { requestErrorText } from '../common/errors';
import { unitFromInput } from './unit-input';

const SPEEDS = [1, 2, 5, 10, 30, 60];
const TICK_MS = 250;

/** Incidents as they stood at `t`, from the period's incident entries: created (with what the entry says) and not yet closed. */
function incidentsAt(entries: TimelineEntry[], t: number): Map<string, Incident> {
  const out = new Map<string, Incident>();
  for (const e of entries) {
    if (e.at > t || e.outcome !== 'accepted' || !e.target) continue;
    const p = e.payload as {
      category?: Incident['category']; subtype?: string | null; priority?: Incident['priority']; position?: Incident['position']; description?: string;
      source?: Incident['source']; unitId?: string;
    };
    if ((e.action === 'incident:create' || e.action === 'incident:report') && p.position) {
      // The entry holds what was sent: a field report names its unit, a console's says its source (older ones do not).
      const source: Incident['source'] = e.action === 'incident:report' ? { kind: 'field', unitId: p.unitId ?? '', photoId: null } : p.source ?? { kind: 'console' };
      out.set(e.target, {
        id: e.target, category: p.category ?? 'cityscape', subtype: p.subtype ?? null, priority: p.priority ?? 2, state: 'open', position: p.position,
        description: p.description ?? '', source, place: { street: null, streetM: null, cellId: null, districtId: null }, amendments: 0, createdAt: e.at, updatedAt: e.at,
      });
    } else if (e.action === 'incident:close') out.delete(e.target);
  }
  return out;
}

/** An incident's span to replay: from a minute before it was created to a minute after its last entry or fix (not past now). */
export function traceSpan(trace: IncidentTrace, now: number): { from: number; to: number } {
  const last = Math.max(trace.incident.createdAt, ...trace.entries.map((e) => e.at), ...trace.tracks.map((t) => t.fixes.at(-1)?.t ?? 0));
  return { from: trace.incident.createdAt - 60_000, to: Math.min(now, last + 60_000) };
}

function TraceLine({ e }: { e: TraceEntry }) {
  const { t, i18n } = useTranslation();
  const units = useHub((s) => s.units);
  switch (e.kind) {
    case 'created': return <>{t('dispatch.entry.created', { actor: e.actor })}</>;
    case 'step': return <>{t('dispatch.entry.step', { unit: units.get(e.unitId)?.name ?? e.unitId, state: t(`taskState.${e.state}`), actor: e.actor })}</>;
    case 'amendment': return <>{t('dispatch.entry.amendment', { actor: e.actor, reason: e.amendment.reason, text: e.amendment.text })}</>;
    case 'alert': return <>{t('dispatch.entry.alert')}: {e.alert.message[i18n.language.startsWith('zh') ? 'zh' : 'en']}</>;
    case 'closed': return <>{t('dispatch.entry.closed', { actor: e.actor })}</>;
  }
}

/** The incident of a trace as it stood at t: there once created, gone once closed. */
function traceIncidentAt(trace: IncidentTrace, t: number): Map<string, Incident> {
  const closed = trace.entries.find((e) => e.kind === 'closed');
  if (t < trace.incident.createdAt || (closed && closed.at <= t)) return new Map();
  return new Map([[trace.incident.id, { ...trace.incident, state: 'open' }]]);
}

/** Units as the replay draws them: their duty status then is not replayed, so each rests at post or on patrol. */
function resting(units: ReadonlyMap<string, Unit>): Map<string, Unit> {
  return new Map([...units].map(([id, u]) => [id, { ...u, status: u.postId ? 'on_post' : 'patrolling' } as Unit]));
}

type ReplayProps = { unitId: string | null; onUnit: (id: string | null) => void; incidentId: string | null; onIncident: (id: string | null) => void };

export function Replay({ unitId, onUnit, incidentId, onIncident }: ReplayProps) {
  const { t, i18n } = useTranslation();
  const zone = useHub((s) => s.timeZone);
  const chosen = usePeriod(zone);
  const [trace, setTrace] = useState<IncidentTrace | null>(null);
  const [incidentInput, setIncidentInput] = useState(incidentId ?? '');
  useEffect(() => {
    setIncidentInput(incidentId ?? '');
    setTrace(null);
    if (!incidentId) return;
    let stale = false;
    hub.request('incident:trace', { incidentId }, 60_000).then((r) => !stale && setTrace(r), (e: Error) => !stale && setError(e.message));
    return () => {
      stale = true;
    };
  }, [incidentId]);
  // the clock runs over the incident's own span while one is replayed, else over the chosen period
  const span = useMemo(() => (trace ? traceSpan(trace, Date.now()) : null), [trace]);
  const period = span ?? chosen;
  const clock = useClock();
  const live = useLiveCity();
  const districts = useMemo(() => [...live.areas.values()].filter((a) => a.kind === 'district'), [live.areas]);
  const [areaId, setAreaId] = useState('');
  const bbox = useMemo((): [number, number, number, number] | undefined => {
    const ring = live.areas.get(areaId)?.polygon?.coordinates[0];
    return ring ? bounds(ring) : undefined;
  }, [live.areas, areaId]);
  const feed: Feed = useMemo(() => (trace ? new TraceFeed(trace.tracks) : new ReplayFeed(bbox)), [bbox, trace]);
  const [at, setAt] = useState(period.from);
  const atRef = useRef(at);
  atRef.current = at;
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(10);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [shown, setShown] = useState(0);
  const [incidentEntries, setIncidentEntries] = useState<TimelineEntry[]>([]);
  const [retention, setRetention] = useState<RetentionPolicyResult | null>(null);
  const [track, setTrack] = useState<PositionFix[] | null>(null);
  const [unitInput, setUnitInput] = useState(unitId ?? '');
  const [unitProblem, setUnitProblem] = useState<string | null>(null);

  useEffect(() => {
    hub.request('positions:retention', {}).then(setRetention, () => setRetention(null));
  }, []);
  useEffect(() => {
    let stale = false;
    if (trace) return;
    hub.request('audit:timeline', { from: period.from, to: period.to, actionPrefix: 'incident:', limit: 500 })
      .then((r) => !stale && setIncidentEntries(r.entries), () => !stale && setIncidentEntries([]));
    return () => {
      stale = true;
    };
  }, [period.from, period.to, trace]);

  const seek = (t: number) => {
    const clamped = Math.min(Math.max(t, period.from), period.to);
    setAt(clamped);
    setLoading(true);
    feed.seek(clamped).then(() => setError(null), (e: Error) => setError(e.message)).finally(() => {
      setLoading(false);
      setShown(feed.size);
    });
  };
  // A new period or area starts the replay at the period's beginning.
  useEffect(() => {
    setPlaying(false);
    seek(period.from);
  }, [feed, period.from, period.to]);

  useEffect(() => {
    if (!playing) return;
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return; // history still loading: the clock waits for it rather than run ahead of the picture
      const next = Math.min(atRef.current + TICK_MS * speed, period.to);
      busy = true;
      feed.advance(next).then(() => {
        setAt(next);
        setShown(feed.size);
        if (next >= period.to) setPlaying(false);
      }, (e: Error) => {
        setError(e.message);
        setPlaying(false);
      }).finally(() => {
        busy = false;
      });
    }, TICK_MS);
    return () => clearInterval(timer);
  }, [playing, speed, feed, period.to]);

  useEffect(() => {
    setUnitInput(unitId ?? '');
    if (!unitId) {
      setTrack(null);
      return;
    }
    let stale = false;
    const from = Math.max(period.from, period.to - DAY_MS);
    hub.request('unit:track', { unitId, from, to: period.to }, 60_000).then((r) => !stale && setTrack(r.fixes), (e: Error) => !stale && setError(e.message));
    return () => {
      stale = true;
    };
  }, [unitId, period.from, period.to]);

  const city: City = useMemo(() => ({
    ...live, units: resting(live.units), streams: new Map(), incidents: trace ? traceIncidentAt(trace, at) : incidentsAt(incidentEntries, at), positions: feed.positions, now: () => atRef.current, known: true,
    attendance: new Map(), // today's marks are not those of the day replayed
  }), [live, feed, incidentEntries, at, trace]);
  const tracks = useMemo(() => (trace ? trace.tracks.map((k) => k.fixes) : track ? [track] : []), [trace, track]);
  const theme = live.profiles[live.mode].mapTheme;
  const unitName = unitId ? (live.units.get(unitId)?.name ?? unitId) : '';
  const downsampled = retention && at < Date.now() - retention.fullRateDays * DAY_MS;
  return (
    <div className="ev-replay">
      <div className="ev-replay-controls" data-testid="replay-controls">
        <button type="button" className="primary" data-testid="replay-play" aria-pressed={playing} onClick={() => setPlaying(!playing)}>{t(playing ? 'evaluator.replay.pause' : 'evaluator.replay.play')}</button>
        <label>{t('evaluator.replay.speed')}
          <select data-testid="replay-speed" value={speed} onChange={(e) => setSpeed(Number(e.target.value))}>
            {SPEEDS.map((s) => <option key={s} value={s}>{s}×</option>)}
          </select>
        </label>
        <input type="range" className="ev-scrub" data-testid="replay-scrub" aria-label={t('evaluator.replay.at')} min={period.from} max={period.to} step={1000} value={at}
          onChange={(e) => seek(Number(e.target.value))} />
        <span className="ev-replay-time num" data-testid="replay-time" data-at={at}>{clock(at, true)}</span>
        <label>{t('evaluator.replay.area')}
          <select data-testid="replay-area" value={areaId} onChange={(e) => setAreaId(e.target.value)}>
            <option value="">{t('evaluator.replay.wholeCity')}</option>
            {districts.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
          </select>
        </label>
        <form className="ev-track-form" onSubmit={(e) => {
          e.preventDefault();
          onIncident(incidentInput.trim() || null);
        }}>
          <label>{t('evaluator.replay.incident')}<input data-testid="replay-incident-input" value={incidentInput} onChange={(e) => setIncidentInput(e.target.value)} /></label>
          <button type="submit" data-testid="replay-incident">{t('evaluator.replay.showIncident')}</button>
          {incidentId && <button type="button" data-testid="replay-incident-clear" onClick={() => onIncident(null)}>{t('evaluator.replay.clearIncident')}</button>}
        </form>
        {!trace && <form className="ev-track-form" onSubmit={(e) => {
          e.preventDefault();
          setUnitProblem(null);
          if (!unitInput.trim()) return onUnit(null);
          const picked = unitFromInput(live.units, unitInput);
          if ('unitId' in picked) onUnit(picked.unitId);
          else setUnitProblem(t(picked.problem === 'none' ? 'evaluator.replay.noSuchUnit' : 'evaluator.replay.severalUnits', { text: unitInput.trim(), n: picked.count }));
        }}>
          <label>{t('evaluator.replay.unit')}<input list="ev-replay-units" data-testid="replay-unit-input" value={unitInput} onChange={(e) => setUnitInput(e.target.value)} /></label>
          <button type="submit" data-testid="replay-track">{t('evaluator.replay.showTrack')}</button>
          {unitId && <button type="button" onClick={() => onUnit(null)}>{t('evaluator.replay.clearTrack')}</button>}
          <datalist id="ev-replay-units">{[...live.units.values()].map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}</datalist>
        </form>}
      </div>
      <div className="ev-replay-notes">
        <span data-testid="replay-shown" data-count={shown} data-loading={String(loading)}>{loading ? t('evaluator.replay.loading') : t('evaluator.replay.fixes', { n: shown })}</span>
        {trace && (
          <span data-testid="trace-info" data-units={trace.tracks.length} data-fixes={trace.tracks.reduce((n, k) => n + k.fixes.length, 0)}>
            {t('evaluator.replay.traceInfo', { id: trace.incident.id, units: trace.tracks.length, from: clock(period.from, true), to: clock(period.to, true) })}
          </span>
        )}
        {!trace && unitId && track && <span data-testid="track-info" data-fixes={track.length}>{track.length ? t('evaluator.replay.track', { n: track.length, unit: unitName }) : t('evaluator.replay.noTrack', { unit: unitName })}</span>}
        {retention && (
          <span data-testid="retention">{t('evaluator.replay.retention', {
            full: retention.fullRateDays, step: retention.downsampleMs / 1000,
            keep: retention.keepDays === null ? t('evaluator.replay.keepForever') : t('evaluator.replay.keepDays', { n: retention.keepDays }),
          })}</span>
        )}
        {downsampled && <span className="warn">{t('evaluator.replay.downsampled', { full: retention.fullRateDays, step: retention.downsampleMs / 1000 })}</span>}
        {feed.truncated && <span className="warn">{t('evaluator.replay.truncated')}</span>}
        <span className="muted">{t('evaluator.replay.lookback')} {t('evaluator.replay.noCamera')}</span>
        {unitProblem && <span className="err" role="alert" data-testid="replay-unit-problem">{unitProblem}</span>}
        {error && <span className="err" role="alert">{t('evaluator.error', { reason: requestErrorText(t, error) })}</span>}
      </div>
      {trace && (
        <ol className="list ev-trace" data-testid="replay-trace">
          {trace.entries.map((e, i) => (
            <li key={i} data-testid="replay-trace-entry" data-kind={e.kind} data-past={String(e.at <= at)} aria-current={e.at <= at && (trace.entries[i + 1]?.at ?? Infinity) > at}>
              <button type="button" className="linklike" onClick={() => seek(e.at)}><span className="num">{clock(e.at, true)}</span></button> <TraceLine e={e} />
            </li>
          ))}
        </ol>
      )}
      <div className="map-area ev-map">
        <MapView>
          <BasemapLayer theme={theme} lang={i18n.language} />
          <AreasLayer city={city} visible />
          <RoutesLayer city={city} visible />
          <VehiclesLayer city={city} visible />
          <OfficersLayer city={city} visible />
          <CamerasLayer city={city} visible />
          <IncidentsLayer city={city} visible lang={i18n.language} />
          <TrackLayer tracks={tracks} />
        </MapView>
      </div>
    </div>
  );
}

// Cameras: every camera with its stream's health; add or edit one (its source checked here by the same
// schema the hub checks with, then by the hub, which also confines file sources to its data folder),
// place a fixed camera by clicking the map, then drag it and turn it by its facing handle (CameraPlacer), mark
// key cameras, attach a vehicle camera to a vehicle and a body camera to an officer on foot (the hub checks the
// same rule, shared/domain.ts). A saved camera plays in the preview tile.
import { useCallback, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Camera, CameraKind, cameraUnitProblem, StreamSource, type LngLat, type Unit } from '../../../shared/domain';
import { hub, useHub } from '../hub';
import { MapView, type MapPick } from '../map/MapView';
import { BasemapLayer } from '../map/layers/BasemapLayer';
import { CamerasLayer } from '../map/layers/CamerasLayer';
import { useLiveCity } from '../state/live-city';
import { VideoTile } from '../video';
import { errorText } from '../common/errors';
import { ResultLine, useAction } from './act';
import { CameraPlacer, TURN_STEP_DEG } from './CameraPlacer';

type SourceKind = StreamSource['kind'];
const SOURCE_KINDS: SourceKind[] = ['hls', 'file', 'rtsp', 'rtmp', 'testsrc'];
type Draft = { id: string; name: string; kind: CameraKind; lng: string; lat: string; facing: string; unitId: string; sourceKind: SourceKind; url: string; key: boolean };

const EMPTY: Draft = { id: '', name: '', kind: 'fixed', lng: '', lat: '', facing: '', unitId: '', sourceKind: 'hls', url: '', key: false };

function toDraft(c: Camera): Draft {
  const s = c.sources[0]!;
  return {
    id: c.id, name: c.name, kind: c.kind, lng: c.position ? String(c.position[0]) : '', lat: c.position ? String(c.position[1]) : '',
    facing: c.facing === null ? '' : String(c.facing), unitId: c.unitId ?? '', sourceKind: s.kind, url: s.url, key: c.key,
  };
}

/** The camera the draft describes, or the first field the schema refuses (its path, and the schema's English detail for the tooltip). */
function fromDraft(d: Draft, others: StreamSource[]): { camera: Camera } | { field: string; detail: string } {
  const num = (v: string) => (v.trim() === '' ? null : Number(v));
  const fixed = d.kind === 'fixed';
  const lng = num(d.lng);
  const lat = num(d.lat);
  // A fixed camera stands somewhere and faces one way; a vehicle or body camera rides with its unit.
  const raw = {
    id: d.id, name: d.name.trim(), kind: d.kind, position: !fixed || lng === null || lat === null ? null : [lng, lat], facing: fixed ? num(d.facing) : null,
    unitId: fixed ? null : d.unitId || null, sources: [{ kind: d.sourceKind, url: d.url.trim() }, ...others], key: d.key,
  };
  const parsed = Camera.safeParse(raw);
  if (parsed.success) return { camera: parsed.data };
  const issue = parsed.error.issues[0]!;
  return { field: String(issue.path[0] ?? 'camera'), detail: issue.message };
}

/** The draft's position as the map draws it, once both numbers read as a place. */
function draftAt(d: Draft): LngLat | null {
  if (d.lng.trim() === '' || d.lat.trim() === '') return null;
  const at: LngLat = [Number(d.lng), Number(d.lat)];
  return Math.abs(at[0]) <= 180 && Math.abs(at[1]) <= 90 ? at : null;
}

function draftFacing(d: Draft): number | null {
  if (d.facing.trim() === '') return null;
  const f = Number(d.facing);
  return Number.isFinite(f) && f >= 0 && f < 360 ? f : null;
}

/** A unit as the admin picks it: its name, and its plate or badge (ids are for machines). */
export const unitLabel = (u: Unit) => `${u.name} · ${u.plate ?? u.badge ?? u.id}`;

export function Cameras() {
  const { t, i18n } = useTranslation();
  const cameras = useHub((s) => s.cameras);
  const streams = useHub((s) => s.streams);
  const units = useHub((s) => s.units);
  const city = useLiveCity();
  const [editing, setEditing] = useState<{ draft: Draft; isNew: boolean; others: StreamSource[] } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [trial, setTrial] = useState<Trial | null>(null);
  const list = useMemo(() => [...cameras.values()].sort((a, b) => a.id.localeCompare(b.id)), [cameras]);
  const setDraft = useCallback((change: (d: Draft) => Draft) => setEditing((e) => (e ? { ...e, draft: change(e.draft) } : e)), []);
  const moveTo = useCallback((at: LngLat) => setDraft((d) => (d.kind === 'fixed' ? { ...d, lng: at[0].toFixed(6), lat: at[1].toFixed(6) } : d)), [setDraft]);
  const turnTo = useCallback((facing: number) => setDraft((d) => ({ ...d, facing: String(facing) })), [setDraft]);
  const onPick = useCallback((p: MapPick) => moveTo(p.at), [moveTo]);
  const placing = editing?.draft.kind === 'fixed' ? editing.draft : null;
  const preview = trial ? trialCamera(trial) : saved ? cameras.get(saved) ?? null : null;
  const streamUrl = useCallback((id: string) => (trial && id === trial.cameraId ? trialUrl(trial.source) : hub.streamUrl(id)), [trial]);
  return (
    <section className="admin-section admin-cameras" aria-label={t('admin.tabs.cameras')}>
      <div className="admin-cameras-side">
        {!editing && <button type="button" className="primary" data-testid="camera-add" onClick={() => { setSaved(null); setTrial(null); setEditing({ draft: EMPTY, isNew: true, others: [] }); }}>{t('admin.cameras.add')}</button>}
        {editing && (
          <CameraForm key={editing.isNew ? 'new' : editing.draft.id} draft={editing.draft} setDraft={setDraft} isNew={editing.isNew} others={editing.others}
            onCancel={() => { setEditing(null); setTrial(null); }} onTry={setTrial}
            onSaved={(id) => { setEditing(null); setTrial(null); setSaved(id); }} />
        )}
        {preview && (
          <div className="admin-preview" data-testid="camera-preview">
            <VideoTile camera={preview} getStreamUrl={streamUrl} health={streams.get(preview.id)} hubClockOffsetMs={hub.getState().clockSkewMs} details
              subtitle={trial ? t('admin.cameras.trialNote') : undefined} />
          </div>
        )}
        {list.length === 0 && <p className="muted">{t('admin.cameras.none')}</p>}
        <table className="admin-table" data-testid="cameras">
          <thead><tr>{(['id', 'name', 'kind', 'where', 'key', 'health'] as const).map((c) => <th key={c}>{t(`admin.cameras.cols.${c}`)}</th>)}<th /></tr></thead>
          <tbody>
            {list.map((c) => {
              const h = streams.get(c.id);
              const unit = c.unitId ? units.get(c.unitId) : undefined;
              return (
                <tr key={c.id} data-testid={`camera-${c.id}`}>
                  <td>{c.id}</td>
                  <td>{c.name}</td>
                  <td>{t(`admin.cameras.kinds.${c.kind}`)}</td>
                  <td data-testid="camera-where" data-unit={c.unitId ?? ''}>
                    {c.unitId ? (unit ? unitLabel(unit) : c.unitId)
                      : c.position ? t('admin.cameras.at', { lng: c.position[0].toFixed(5), lat: c.position[1].toFixed(5) }) + (c.facing === null ? '' : ` · ${t('admin.cameras.facingDeg', { deg: c.facing })}`) : ''}
                  </td>
                  <td>{c.key ? t('admin.cameras.keyYes') : ''}</td>
                  <td className={h?.state === 'up' ? 'ok' : h?.state === 'down' ? 'err' : 'muted'} data-state={h?.state ?? 'none'}>
                    {h ? t(`admin.cameras.health.${h.state}`) : t('admin.cameras.noHealth')}
                  </td>
                  <td>
                    <button type="button" onClick={() => { setSaved(c.id); setTrial(null); setEditing({ draft: toDraft(c), isNew: false, others: c.sources.slice(1) }); }}>{t('admin.cameras.edit')}</button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      <div className="admin-cameras-map">
        {placing && <p className="admin-map-hint">{t(draftAt(placing) ? 'admin.cameras.dragOnMap' : 'admin.cameras.pickOnMap', { step: TURN_STEP_DEG })}</p>}
        <MapView onPick={onPick}>
          <BasemapLayer theme={city.profiles[city.mode].mapTheme} lang={i18n.language} />
          <CamerasLayer city={city} visible />
          <CameraPlacer at={placing ? draftAt(placing) : null} facing={placing ? draftFacing(placing) : null} onMove={moveTo} onTurn={turnTo} />
        </MapView>
      </div>
    </section>
  );
}

/** A source being tried before the camera is saved (camera:preview), under the hub's preview id for this session. */
type Trial = { source: StreamSource; cameraId: string };

const trialCamera = (trial: Trial): Camera =>
  ({ id: trial.cameraId, kind: 'fixed', name: trial.source.url, position: null, facing: null, unitId: null, sources: [trial.source], key: false });

/** Asking again renews the preview (the tile re-asks for its URL now and then). */
async function trialUrl(source: StreamSource): Promise<string> {
  const { url } = await hub.request('camera:preview', { source });
  return new URL(url, hub.getState().connection.url + '/').href;
}

function CameraForm({ draft, setDraft, isNew, others, onCancel, onSaved, onTry }: {
  draft: Draft; setDraft: (change: (d: Draft) => Draft) => void; isNew: boolean; others: StreamSource[]; onCancel: () => void; onSaved: (id: string) => void;
  onTry: (trial: Trial) => void;
}) {
  const { t } = useTranslation();
  const units = useHub((s) => s.units);
  const cameras = useHub((s) => s.cameras);
  const [result, busy, send] = useAction();
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => ({ ...d, [k]: v }));
  // Only the units this kind of camera can ride with; the one already chosen stays listed (the hub says why it does not fit).
  const riders = useMemo(() => [...units.values()]
    .filter((u) => draft.kind !== 'fixed' && (cameraUnitProblem(draft.kind, u.kind) === null || u.id === draft.unitId))
    .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN') || a.id.localeCompare(b.id)), [units, draft.kind, draft.unitId]);
  const checked = fromDraft(draft, others);
  // camera:upsert saves over a camera with the same id: a new camera must not take an id in use, or it
  // silently replaces that camera (its place, its key flag, its source).
  const taken = isNew ? cameras.get(draft.id) : undefined;
  const source = StreamSource.safeParse({ kind: draft.sourceKind, url: draft.url.trim() });
  const [tryProblem, setTryProblem] = useState<string | null>(null);
  const tryIt = async () => {
    if (!source.success) return;
    setTryProblem(null);
    try {
      const { cameraId } = await hub.request('camera:preview', { source: source.data });
      onTry({ source: source.data, cameraId });
    } catch (e) {
      setTryProblem(/^([a-z_]+):/.exec((e as Error).message)?.[1] ?? 'unknown');
    }
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!('camera' in checked) || taken) return;
    const done = await send('camera:upsert', { camera: checked.camera }, (r) => t('admin.cameras.saved', { id: r.camera.id }));
    if (done) onSaved(done.camera.id);
  };
  return (
    <form className="admin-form" onSubmit={submit} aria-label={isNew ? t('admin.cameras.add') : t('admin.cameras.edit')} data-testid="camera-form">
      <label>{t('admin.cameras.id')}<input name="camera-id" value={draft.id} onChange={(e) => set('id', e.target.value.trim())} readOnly={!isNew} required aria-invalid={!!taken} /></label>
      <label>{t('admin.cameras.name')}<input name="camera-name" value={draft.name} onChange={(e) => set('name', e.target.value)} required maxLength={100} /></label>
      <label>{t('admin.cameras.kind')}
        <select name="camera-kind" value={draft.kind} onChange={(e) => set('kind', e.target.value as CameraKind)}>
          {CameraKind.options.map((k) => <option key={k} value={k}>{t(`admin.cameras.kinds.${k}`)}</option>)}
        </select>
      </label>
      {draft.kind === 'fixed' ? (
        <div className="admin-row">
          <label>{t('admin.cameras.lng')}<input name="lng" inputMode="decimal" value={draft.lng} onChange={(e) => set('lng', e.target.value)} /></label>
          <label>{t('admin.cameras.lat')}<input name="lat" inputMode="decimal" value={draft.lat} onChange={(e) => set('lat', e.target.value)} /></label>
          <label>{t('admin.cameras.facing')}<input name="facing" inputMode="numeric" value={draft.facing} onChange={(e) => set('facing', e.target.value)} /></label>
        </div>
      ) : (
        <label>{t(`admin.cameras.unitFor.${draft.kind}`)}
          <select name="camera-unit" value={draft.unitId} onChange={(e) => set('unitId', e.target.value)}>
            <option value="" />
            {riders.map((u) => <option key={u.id} value={u.id}>{unitLabel(u)}</option>)}
          </select>
        </label>
      )}
      <div className="admin-row">
        <label>{t('admin.cameras.sourceKind')}
          <select name="source-kind" value={draft.sourceKind} onChange={(e) => set('sourceKind', e.target.value as SourceKind)}>
            {SOURCE_KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
          </select>
        </label>
        <label className="grow">{t('admin.cameras.sourceUrl')}
          <input name="source-url" value={draft.url} onChange={(e) => set('url', e.target.value)} required spellCheck={false} />
          <small className="muted">{t(`admin.cameras.sourceHints.${draft.sourceKind}`)}</small>
        </label>
      </div>
      <label className="check"><input type="checkbox" name="key" checked={draft.key} onChange={(e) => set('key', e.target.checked)} /> {t('admin.cameras.key')}</label>
      {taken && <p className="err" role="alert" data-testid="camera-id-taken">{t('admin.cameras.idTaken', { id: taken.id, name: taken.name })}</p>}
      {!taken && !('camera' in checked) && (draft.id || draft.url) && (
        <p className="err" data-testid="camera-invalid" title={checked.detail}>{t('admin.cameras.invalid', { field: t(`admin.cameras.fields.${checked.field}`, { defaultValue: checked.field }) })}</p>
      )}
      <div className="admin-row">
        <button type="button" data-testid="camera-try" disabled={!source.success} onClick={tryIt}>{t('admin.cameras.try')}</button>
        <button type="submit" className="primary" disabled={busy || !!taken || !('camera' in checked)}>{t('admin.cameras.save')}</button>
        <button type="button" onClick={onCancel}>{t('admin.cameras.cancel')}</button>
      </div>
      {tryProblem && <p className="err" role="alert" data-testid="camera-try-problem">{t('admin.cameras.tryFailed', { reason: errorText(t, tryProblem) })}</p>}
      <ResultLine result={result} />
    </form>
  );
}

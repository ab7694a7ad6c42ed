// The admin's grid editor (issue 18): cells, posts and routes drawn and edited on the map with
// terra-draw (its MapLibre adapter on the console's one map), each save, delete and import an audited
// hub command that names the grid version it was made against. The hub checks every change (a closed
// outline that does not cross itself, a post inside its cell, a route on the roads, which it stores
// snapped) and says why it refuses as issue codes with their parameters, which this screen words in the
// admin's language (i18n `refusals`); the hub's English, which its record keeps, is shown folded below.
import { useCallback, useEffect, useRef, useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { TerraDraw, TerraDrawLineStringMode, TerraDrawPointMode, TerraDrawPolygonMode, TerraDrawSelectMode, type GeoJSONStoreFeatures } from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import { ModeName, type LngLat, type Polygon } from '../../../shared/domain';
import { pointInPolygon } from '../../../shared/geo';
import { closeRing, gridToGeoJSON, ringAreaM2, type GridState } from '../../../shared/grid';
import type { CommandError } from '../../../shared/protocol/commands';

import { hub } from '../hub';
import { MapView, useMap } from '../map/MapView';
import { BasemapLayer } from '../map/layers/BasemapLayer';
import { useLiveCity } from '../state/live-city';
import { errorText } from '../common/errors';
import { issueText, refusalIssues } from '../common/issues';

/** A refusal as the screen gets it: the hub's (with its issues), or the client's own (a timeout, signed out). */
type Refusal = Omit<CommandError, 'code'> & { code: string };
type Kind = 'cell' | 'post' | 'route';
type Tool = 'select' | Kind;
const DRAW_MODE: Record<Kind, string> = { cell: 'polygon', post: 'point', route: 'linestring' };
const KIND_OF_MODE: Record<string, Kind> = { polygon: 'cell', point: 'post', linestring: 'route' };
/** A feature drawn here and not yet saved has an id of this form; saved ones carry the hub's id. */
const DRAFT = 'draft-';
/** Counted for the page's life, so a draft kept across a reload never shares an id with a new one. */
let drafts = 0;

/** The feature the admin is editing: its terra-draw id, what it is, and the form's fields. */
type Editing = { drawId: string; kind: Kind; gridId: string | null; name: string; parentId: string; radiusM: string; modes: ModeName[] };
/** A refusal: its code, the lines that say why in the admin's language, and the hub's own English record. */
type Outcome = { ok: true; text: string } | { ok: false; code: string; title?: string; lead?: string; lines: string[]; detail: string } | null;
/** What is drawn and not saved, carried over a reload of the grid (after a conflict) so nothing is lost. */
type Kept = { drawId: string; geometry: GeoJSONStoreFeatures['geometry']; mode: string };

const COLORS = { cell: '#3fa7ff', post: '#ffd84d', route: '#4de39a' } as const;

/**
 * terra-draw refuses a feature with more than this many decimals (its default coordinatePrecision); the hub
 * stores what it is given (an imported file, a computed point), so the editor rounds what it shows — by
 * well under a millimetre.
 */
const PRECISION = 9;
const round = (p: LngLat): LngLat => [Number(p[0].toFixed(PRECISION)), Number(p[1].toFixed(PRECISION))];

function featuresOf(grid: GridState, kept: Kept | null): GeoJSONStoreFeatures[] {
  const out: GeoJSONStoreFeatures[] = [];
  for (const a of grid.areas) {
    if (a.kind === 'cell' && a.polygon) out.push({ id: a.id, type: 'Feature', geometry: { type: 'Polygon', coordinates: a.polygon.coordinates.map((r) => r.map(round)) }, properties: { mode: 'polygon' } });
    else if (a.kind === 'post') out.push({ id: a.id, type: 'Feature', geometry: { type: 'Point', coordinates: round(a.center) }, properties: { mode: 'point' } });
  }
  for (const r of grid.routes) out.push({ id: r.id, type: 'Feature', geometry: { type: 'LineString', coordinates: r.line.map(round) }, properties: { mode: 'linestring' } });
  if (!kept) return out;
  // The admin's unsaved shape wins over the one just read (a saved feature another admin deleted comes back as drawn).
  return [...out.filter((f) => f.id !== kept.drawId), { id: kept.drawId, type: 'Feature', geometry: kept.geometry, properties: { mode: kept.mode } }];
}

/** The smallest cell (or district) holding a point: a cell drawn inside a bigger one is the one meant. */
function smallestHolding(grid: GridState, kind: 'cell' | 'district', at: LngLat): string {
  const holding = grid.areas.filter((a) => a.kind === kind && a.polygon && pointInPolygon(at, a.polygon));
  holding.sort((a, b) => ringAreaM2(a.polygon!.coordinates[0]!) - ringAreaM2(b.polygon!.coordinates[0]!));
  return holding[0]?.id ?? '';
}

export function Grid() {
  const { t, i18n } = useTranslation();
  const city = useLiveCity();
  const [grid, setGrid] = useState<GridState | null>(null);
  const [tool, setTool] = useState<Tool>('select');
  const [editing, setEditing] = useState<Editing | null>(null);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [busy, setBusy] = useState(false);
  const [kept, setKept] = useState<Kept | null>(null);
  /** Features of the grid the drawing tool would not take (the first one's id and why), shown rather than dropped in silence. */
  const [unshown, setUnshown] = useState<{ count: number; id: string; reason: string } | null>(null);
  const drawRef = useRef<TerraDraw | null>(null);
  const editingRef = useRef(editing);
  editingRef.current = editing;

  const reload = useCallback(async () => {
    const g = await hub.request('grid:get', {});
    setGrid(g);
    return g;
  }, []);
  useEffect(() => { void reload(); }, [reload]);

  /**
   * The hub refused: say why in the admin's language, from the issues (codes and parameters) it sends with
   * its English, which is kept below. A conflict because another admin changed the grid since it was read
   * reloads the grid and keeps the admin's unsaved shape and form, to check against the new grid and save again.
   */
  const refused = async (error: Refusal, e?: Editing, lines = refusalIssues(error).map((i) => issueText(t, i)), lead?: string) => {
    const { code, message: detail } = error;
    if (refusalIssues(error)[0]?.code === 'grid_changed') {
      const g = geometry(e);
      const fresh = await reload();
      if (e && g) setKept({ drawId: e.drawId, geometry: g, mode: DRAW_MODE[e.kind] }); // with the new grid: the map is redrawn once
      setOutcome({ ok: false, code, title: t('admin.grid.staleTitle'), lines: [t('admin.grid.stale', { version: fresh.version }), ...(e ? [t('admin.grid.staleKept')] : [])], detail });
      return;
    }
    setOutcome({ ok: false, code, lead, lines, detail });
  };
  const afterChange = async (text: string) => {
    setOutcome({ ok: true, text });
    setEditing(null);
    setKept(null);
    await reload();
  };

  /** A feature was picked or finished on the map: open its form (the one being edited keeps its fields). */
  const open = useCallback((drawId: string) => {
    const g = grid;
    if (!g || editingRef.current?.drawId === drawId) return;
    const f = drawRef.current?.getSnapshotFeature(drawId);
    if (!f) return;
    const kind = KIND_OF_MODE[String(f.properties.mode)] ?? 'cell';
    const saved = drawId.startsWith(DRAFT) ? null : drawId;
    const area = saved ? g.areas.find((a) => a.id === saved) : undefined;
    const route = saved ? g.routes.find((r) => r.id === saved) : undefined;
    let parentId = area?.parentId ?? '';
    if (!saved && kind === 'post' && f.geometry.type === 'Point') parentId = smallestHolding(g, 'cell', f.geometry.coordinates as LngLat);
    if (!saved && kind === 'cell' && f.geometry.type === 'Polygon') parentId = smallestHolding(g, 'district', (f.geometry.coordinates[0] as LngLat[])[0]!);
    setOutcome(null);
    setTool('select');
    setEditing({
      drawId, kind, gridId: saved, name: area?.name ?? route?.name ?? '', parentId,
      radiusM: String(area?.radiusM ?? 50), modes: route?.modes ?? ['daily'],
    });
  }, [grid]);

  const geometry = (e: Editing | undefined) => (e ? drawRef.current?.getSnapshotFeature(e.drawId)?.geometry : undefined);

  const save = async (e: Editing) => {
    if (!grid) return;
    const g = geometry(e);
    if (!g) return;
    setBusy(true);
    const base = { baseVersion: grid.version };
    const id = e.gridId ?? undefined;
    const res = e.kind === 'cell'
      ? await hub.command('cell:save', { ...base, cell: { id, name: e.name, parentId: e.parentId || null, polygon: { type: 'Polygon', coordinates: (g.coordinates as LngLat[][]).map(closeRing) } as Polygon } })
      : e.kind === 'post'
        ? await hub.command('post:save', { ...base, post: { id, name: e.name, cellId: e.parentId, center: g.coordinates as LngLat, radiusM: Number(e.radiusM) } })
        : await hub.command('route:save', { ...base, route: { id, name: e.name, line: g.coordinates as LngLat[], modes: e.modes } });
    setBusy(false);
    if (res.ok) return afterChange(t('admin.grid.saved', { name: e.name, version: res.result.gridVersion }));
    await refused(res.error, e);
  };

  const remove = async (e: Editing) => {
    if (!grid || !e.gridId) return;
    setBusy(true);
    const base = { baseVersion: grid.version };
    const res = e.kind === 'cell' ? await hub.command('cell:delete', { ...base, cellId: e.gridId })
      : e.kind === 'post' ? await hub.command('post:delete', { ...base, postId: e.gridId })
        : await hub.command('route:delete', { ...base, routeId: e.gridId });
    setBusy(false);
    if (res.ok) return afterChange(t('admin.grid.deleted', { name: e.name, version: res.result.gridVersion }));
    // A delete after a conflict is not kept: the admin sees the new grid and deletes again if still meant.
    // Otherwise a conflict here is something still using it (units assigned, shifts to come, posts in a cell), named by the hub.
    await refused(res.error);
  };

  const cancel = async () => {
    setEditing(null);
    setOutcome(null);
    setKept(null);
    await reload(); // puts back what was dragged or drawn and not saved
  };

  const importFile = async (ev: ChangeEvent<HTMLInputElement>) => {
    const file = ev.target.files?.[0];
    ev.target.value = '';
    if (!file || !grid) return;
    let collection: unknown;
    try {
      collection = JSON.parse(await file.text());
    } catch (err) {
      setOutcome({ ok: false, code: 'invalid_payload', lines: [t('admin.grid.badFile', { name: file.name })], detail: (err as Error).message });
      return;
    }
    setBusy(true);
    const res = await hub.command('grid:import', { baseVersion: grid.version, collection: collection as never });
    setBusy(false);
    if (res.ok) return afterChange(t('admin.grid.imported', { ...res.result, version: res.result.gridVersion }));
    const error: Refusal = res.error;
    const issues = refusalIssues(error);
    if (!issues.some((i) => i.feature)) return refused(error);
    // One line per refused feature: which one (its number, kind and name) and why, in the admin's words.
    const lines = issues.map((i) => {
      const f = i.feature;
      const which = !f ? null : f.kind || f.name
        ? t('admin.grid.featureN', { n: f.n, kind: f.kind ? t(`admin.grid.kinds.${f.kind}`) : '', name: f.name ?? '' })
        : t('admin.grid.featureOnly', { n: f.n });
      return which ? t('admin.grid.featureLine', { feature: which, why: issueText(t, i) }) : issueText(t, i);
    });
    const count = error.issueCount ?? issues.length;
    if (count > issues.length) lines.push(t('admin.grid.more', { count: count - issues.length }));
    await refused(error, undefined, lines, t('admin.grid.importRefused', { count, name: file.name }));
  };

  const exportFile = async () => {
    const g = await reload();
    const blob = new Blob([JSON.stringify(gridToGeoJSON(g), null, 1)], { type: 'application/geo+json' });
    const a = document.createElement('a');
    a.href = URL.createObjectURL(blob);
    a.download = `xiuhua-grid-v${g.version}.geojson`;
    a.click();
    URL.revokeObjectURL(a.href);
  };

  // By name, as the admin reads them (the demo city has 143 cells).
  const byName = (x: { name: string }, y: { name: string }) => x.name.localeCompare(y.name, i18n.language);
  const districts = grid?.areas.filter((a) => a.kind === 'district').sort(byName) ?? [];
  const cells = grid?.areas.filter((a) => a.kind === 'cell').sort(byName) ?? [];
  const counts = { cells: cells.length, posts: grid?.areas.filter((a) => a.kind === 'post').length ?? 0, routes: grid?.routes.length ?? 0 };
  return (
    <section className="admin-section admin-grid" aria-label={t('admin.grid.tab')}>
      <div className="admin-grid-side">
        <p className="admin-grid-version" data-testid="grid-version" data-version={grid?.version ?? ''}>
          {grid ? `${t('admin.grid.version', { version: grid.version })} · ${t('admin.grid.counts', counts)}` : t('admin.grid.loading')}
        </p>
        <div className="admin-grid-tools" role="toolbar">
          {(['select', 'cell', 'post', 'route'] as const).map((k) => (
            <button key={k} type="button" aria-pressed={tool === k} data-testid={`grid-tool-${k}`} onClick={() => { setTool(k); setEditing(null); }}>{t(`admin.grid.tools.${k}`)}</button>
          ))}
        </div>
        <p className="muted">{t(`admin.grid.hint.${tool}`)}</p>
        {unshown && <p className="err" data-testid="grid-unshown" title={unshown.reason}>{t('admin.grid.unshown', { count: unshown.count, id: unshown.id })}</p>}
        {editing && (
          <form className="admin-form" data-testid="grid-form" data-kind={editing.kind} onSubmit={(ev) => { ev.preventDefault(); void save(editing); }}>
            <h3>{editing.gridId ? `${t(`admin.grid.kinds.${editing.kind}`)} · ${editing.gridId}` : t('admin.grid.newOne', { kind: t(`admin.grid.kinds.${editing.kind}`) })}</h3>
            <label>{t('admin.grid.name')}
              <input name="name" value={editing.name} maxLength={60} required onChange={(ev) => setEditing({ ...editing, name: ev.target.value })} />
            </label>
            {editing.kind === 'cell' && (
              <label>{t('admin.grid.district')}
                <select name="parentId" value={editing.parentId} onChange={(ev) => setEditing({ ...editing, parentId: ev.target.value })}>
                  <option value="">{t('admin.grid.noDistrict')}</option>
                  {districts.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
                </select>
              </label>
            )}
            {editing.kind === 'post' && (
              <>
                <label>{t('admin.grid.cell')}
                  <select name="cellId" value={editing.parentId} onChange={(ev) => setEditing({ ...editing, parentId: ev.target.value })}>
                    <option value="">—</option>
                    {cells.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
                  </select>
                </label>
                <label>{t('admin.grid.radius')}
                  <input name="radiusM" type="number" min={10} max={500} value={editing.radiusM} onChange={(ev) => setEditing({ ...editing, radiusM: ev.target.value })} />
                </label>
              </>
            )}
            {editing.kind === 'route' && (
              <fieldset><legend>{t('admin.grid.modes')}</legend>
                {ModeName.options.map((m) => (
                  <label key={m} className="inline">
                    <input type="checkbox" checked={editing.modes.includes(m)}
                      onChange={(ev) => setEditing({ ...editing, modes: ev.target.checked ? [...editing.modes, m] : editing.modes.filter((x) => x !== m) })} />
                    {t(`admin.grid.modeNames.${m}`)}
                  </label>
                ))}
              </fieldset>
            )}
            <div className="admin-form-buttons">
              <button type="submit" className="primary" disabled={busy || editing.name.trim() === ''} data-testid="grid-save">{t('admin.grid.save')}</button>
              {editing.gridId && <button type="button" className="danger" disabled={busy} data-testid="grid-delete" onClick={() => void remove(editing)}>{t('admin.grid.delete')}</button>}
              <button type="button" onClick={() => void cancel()}>{t('admin.grid.cancel')}</button>
            </div>
          </form>
        )}
        <OutcomeLine outcome={outcome} />
        <div className="admin-grid-files">
          <label className="button">{t('admin.grid.importFile')}
            <input type="file" accept=".geojson,.json,application/geo+json,application/json" hidden data-testid="grid-import" onChange={(ev) => void importFile(ev)} />
          </label>
          <button type="button" data-testid="grid-export" onClick={() => void exportFile()}>{t('admin.grid.exportFile')}</button>
        </div>
      </div>
      <div className="admin-grid-map">
        <MapView>
          <BasemapLayer theme={city.profiles[city.mode].mapTheme} lang={i18n.language} />
          {grid && <GridDraw grid={grid} kept={kept} tool={tool} drawRef={drawRef} onOpen={open} onUnshown={setUnshown} />}
        </MapView>
      </div>
    </section>
  );
}

function OutcomeLine({ outcome }: { outcome: Outcome }) {
  const { t } = useTranslation();
  if (!outcome) return null;
  if (outcome.ok) return <p className="ok" role="status" data-testid="grid-result" data-outcome="ok">{outcome.text}</p>;
  return (
    <div className="err admin-grid-refusal" role="alert" data-testid="grid-result" data-outcome={outcome.code}>
      <strong>{t('admin.grid.refused')}: {outcome.title ?? errorText(t, outcome.code)}</strong>
      {outcome.lead && <p className="admin-grid-lead">{outcome.lead}</p>}
      {outcome.lines.length > 0 && <ul data-testid="grid-result-lines">{outcome.lines.map((l, i) => <li key={i}>{l}</li>)}</ul>}
      <details><summary>{t('admin.grid.hubSaid')}</summary><pre className="admin-grid-detail">{outcome.detail}</pre></details>
    </div>
  );
}

/**
 * terra-draw on the map, holding the grid as features with the hub's ids (drafts get `draft-n`): made
 * once per grid read, so after a save it shows what the hub stored (a route snapped to the roads).
 */
function GridDraw({ grid, kept, tool, drawRef, onOpen, onUnshown }: {
  grid: GridState; kept: Kept | null; tool: Tool; drawRef: { current: TerraDraw | null }; onOpen: (id: string) => void;
  onUnshown: (u: { count: number; id: string; reason: string } | null) => void;
}) {
  const { map } = useMap();
  const onOpenRef = useRef(onOpen);
  onOpenRef.current = onOpen;
  useEffect(() => {
    const editable = { feature: { draggable: true, coordinates: { midpoints: true, draggable: true, deletable: true } } };
    const draw = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map }),
      idStrategy: { isValidId: (id) => typeof id === 'string' && id.length > 0, getId: () => `${DRAFT}${++drafts}` },
      modes: [
        new TerraDrawSelectMode({ flags: { polygon: editable, linestring: editable, point: { feature: { draggable: true } } } }),
        new TerraDrawPolygonMode({ styles: { fillColor: COLORS.cell, outlineColor: COLORS.cell, fillOpacity: 0.15, outlineWidth: 2 } }),
        new TerraDrawPointMode({ styles: { pointColor: COLORS.post, pointWidth: 7, pointOutlineColor: '#000000', pointOutlineWidth: 1 } }),
        new TerraDrawLineStringMode({ styles: { lineStringColor: COLORS.route, lineStringWidth: 4 } }),
      ],
    });
    draw.start();
    const bad = draw.addFeatures(featuresOf(grid, kept)).filter((v) => !v.valid);
    onUnshown(bad.length > 0 ? { count: bad.length, id: String(bad[0]!.id), reason: bad[0]!.reason ?? '' } : null);
    draw.on('select', (id) => onOpenRef.current(String(id)));
    if (kept) draw.selectFeature(kept.drawId);
    draw.on('finish', (id, ctx) => {
      if (ctx.action === 'draw') {
        draw.setMode('select');
        draw.selectFeature(id);
      }
    });
    drawRef.current = draw;
    (window as { __gridDraw?: TerraDraw }).__gridDraw = draw; // test hook, as window.__xiuhua
    // Leaving the tab removes the map first (MapView's cleanup runs before its children's), and its
    // sources with it: terra-draw's stop() would then write into a source that is gone and throw,
    // which blanked the whole admin screen. A removed map takes terra-draw's layers and handlers along.
    let mapGone = false;
    const gone = () => { mapGone = true; };
    map.once('remove', gone);
    return () => {
      map.off('remove', gone);
      drawRef.current = null;
      if (!mapGone) draw.stop();
    };
  }, [map, grid, kept, drawRef, onUnshown]);
  useEffect(() => {
    const draw = drawRef.current;
    if (draw) draw.setMode(tool === 'select' ? 'select' : DRAW_MODE[tool]);
  }, [tool, grid, drawRef]);
  return null;
}

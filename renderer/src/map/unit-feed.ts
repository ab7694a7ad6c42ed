// Turns merged live positions + unit records into small GeoJSON diffs for a map source: only units whose
// position or look changed are sent (source.updateData), so a flush costs what changed, not the fleet.
// Each sent unit is a whole feature in the diff's `add` (see diff() for why not `update`).
import type { GeoJSONSourceDiff, Map as MlMap } from 'maplibre-gl';
import type { Unit, UnitKind } from '../../../shared/domain';
import type { PositionStore, Track } from '../hub/positions';
import type { AttendanceMark } from '../state/attendance';
import { freshness, shortAge, type Freshness } from './freshness';

/** The one class the map paints a unit by: SOS beats everything, then position age, then duty status. */
export type UnitClass = 'sos' | 'offline' | 'stale' | 'on_post' | 'patrolling' | 'on_task' | 'off_duty';

/** What the source holds for a unit, kept up to date in place (one object per unit for the feed's life). */
type Shown = { lng: number; lat: number; cls: UnitClass; ago: string; heading: number; name: string; trail: number; att: string; feature: GeoJSON.Feature };

/**
 * A flush that changes more than this share of a source of at least FULL_MIN_UNITS units replaces the whole
 * source instead (removeAll + every feature): the map then reloads every tile at once, where a diff that
 * large costs its main thread the bounds of every old and new geometry to find the tiles it touched.
 */
export const FULL_SHARE = 0.25;
export const FULL_MIN_UNITS = 1000;

const NO_MARKS: ReadonlyMap<string, AttendanceMark> = new Map();

/** A unit's class and its age label ('' while live) at `now`. */
export function classify(unit: Unit, track: Track, now: number): { cls: UnitClass; ago: string } {
  const f = freshness(track.fix.t, now);
  return { cls: classOf(unit, f), ago: f === 'live' ? '' : shortAge(now - track.fix.t) };
}

export function classOf(unit: Unit, f: Freshness): UnitClass {
  if (unit.status === 'sos') return 'sos';
  return f === 'live' ? unit.status : f;
}

export class UnitFeed {
  private readonly shown = new Map<string, Shown>();
  /** Only vehicles' arrows turn with their heading: officers' dots and trails carry none. */
  private readonly headings: boolean;

  /**
   * `kind` limits the feed to officers or vehicles; `trails` makes line features of recent positions instead
   * of points; `keep`, when given, limits the source to the units it accepts (with the dots layer, the
   * officers' source holds only those whose label or badge can be drawn).
   */
  constructor(private readonly kind: UnitKind, private readonly trails = false, private readonly keep?: (track: Track, mark: string) => boolean) {
    this.headings = kind === 'vehicle' && !trails;
  }

  /**
   * The diff that brings the source up to date for `ids`; null when nothing visible changed.
   * `marks`: each officer's attendance mark (`att`: '' for none); the layer draws it stale when the fix is.
   * This runs for every unit a flush changed (thousands at a time in a busy city): it allocates only what
   * goes into the diff, and updates what it remembers of each unit in place.
   */
  diff(ids: Iterable<string>, units: ReadonlyMap<string, Unit>, tracks: ReadonlyMap<string, Track>, now: number, marks = NO_MARKS): GeoJSONSourceDiff | null {
    const add: GeoJSON.Feature[] = [];
    const remove: string[] = [];
    const { shown, trails, headings, kind } = this;
    for (const id of ids) {
      const unit = units.get(id);
      const track = tracks.get(id);
      const before = shown.get(id);
      if (!unit || unit.kind !== kind || !track || (trails && track.trail.length < 2) || (this.keep && !this.keep(track, marks.get(id) ?? ''))) {
        if (before) {
          remove.push(id);
          shown.delete(id);
        }
        continue;
      }
      const fix = track.fix;
      const f = freshness(fix.t, now);
      const cls = classOf(unit, f);
      const ago = f === 'live' ? '' : shortAge(now - fix.t);
      const att = marks.get(id) ?? '';
      const heading = headings ? (fix.heading ?? 0) : 0;
      const trail = track.trail.length;
      if (before && before.lng === fix.lng && before.lat === fix.lat && (!trails || before.trail === trail)
        && before.cls === cls && before.ago === ago && before.heading === heading && before.name === unit.name && before.att === att) continue;
      // A new or changed unit goes as a whole feature in `add`, which replaces the one with its id. Not as an
      // `update`: maplibre's worker applies each update by concatenating the whole feature list again
      // (applySourceDiff in geojson-vt, 6.17), so a flush that moves thousands of units cost it seconds —
      // at 20,000 units the map moved every ~3 s. Adds are applied in one pass over the list.
      const properties: GeoJSON.GeoJsonProperties = headings ? { id, cls, ago, heading, name: unit.name, att } : { id, cls, ago, name: unit.name, att };
      // Never changed once built: the map keeps this very object as its copy of the feature.
      const feature: GeoJSON.Feature = { type: 'Feature', id, geometry: this.geometry(track), properties };
      add.push(feature);
      if (!before) {
        shown.set(id, { lng: fix.lng, lat: fix.lat, cls, ago, heading, name: unit.name, trail, att, feature });
        continue;
      }
      before.feature = feature;
      before.lng = fix.lng;
      before.lat = fix.lat;
      before.trail = trail;
      before.cls = cls;
      before.ago = ago;
      before.heading = heading;
      before.name = unit.name;
      before.att = att;
    }
    if (!add.length && !remove.length) return null;
    if (shown.size >= FULL_MIN_UNITS && add.length > shown.size * FULL_SHARE) {
      return { removeAll: true, add: Array.from(shown.values(), (s) => s.feature) };
    }
    return { add, remove };
  }

  private geometry(track: Track): GeoJSON.Geometry {
    return this.trails
      ? { type: 'LineString', coordinates: track.trail.map((p) => [p[0], p[1]]) }
      : { type: 'Point', coordinates: [track.fix.lng, track.fix.lat] };
  }

  /** Forget what was shown (the source was emptied). */
  reset(): void {
    this.shown.clear();
  }
}

/** How often ages and stale/offline classes are re-evaluated when no new fix arrives. */
export const SWEEP_MS = 5000;

/** What a feed reads each time it is asked: the newest units and marks (refs in the layer), the city's clock. */
export type FeedInputs = {
  positions: PositionStore;
  units: () => ReadonlyMap<string, Unit>;
  marks: () => ReadonlyMap<string, AttendanceMark>;
  now: () => number;
};

/** What feedFromPositions drives: UnitFeed (GeoJSON diffs for a source) or UnitBuffer (slots for the GPU). */
export type Feed<D> = {
  diff(ids: Iterable<string>, units: ReadonlyMap<string, Unit>, tracks: ReadonlyMap<string, Track>, now: number, marks?: ReadonlyMap<string, AttendanceMark>): D | null;
  /** The units the periodic sweep must re-diff at `now`; every unit when absent (labels show ages that change every sweep). */
  due?(now: number): Iterable<string>;
};

/**
 * The console's live update path for one map source: every position flush sends the diff of the units it
 * changed, and a sweep every `sweepMs` re-evaluates every unit's age and class. Returns the stop.
 * One diff at a time: while the map's worker still has the last one (`send`'s promise), the units changed
 * meanwhile are only noted, and go in one diff once it is done — never several diffs queued for the map to
 * merge, and a unit that moved twice meanwhile is sent once, where it is now.
 * (The map bench, tests/bench/map-frames.ts, runs this very function.)
 */
export function feedFromPositions<D = GeoJSONSourceDiff>(feed: Feed<D>, inputs: FeedInputs, send: (diff: D) => Promise<void> | void, sweepMs = SWEEP_MS): () => void {
  const { positions, units, marks, now } = inputs;
  let busy = false;
  let stopped = false;
  const waiting = new Set<string>();
  const done = () => {
    busy = false;
    if (stopped || !waiting.size) return;
    const ids = [...waiting];
    waiting.clear();
    push(ids);
  };
  const push = (ids: Iterable<string>) => {
    if (busy) {
      for (const id of ids) waiting.add(id);
      return;
    }
    const diff = feed.diff(ids, units(), positions.all(), now(), marks());
    if (!diff) return;
    const sent = send(diff);
    if (!sent) return;
    busy = true;
    void sent.then(done, done); // the map reports a failed update as its own error event
  };
  const unsubscribe = positions.subscribe((f) => push(f.changed));
  const sweep = setInterval(() => push(feed.due ? feed.due(now()) : positions.all().keys()), sweepMs);
  return () => {
    stopped = true;
    unsubscribe();
    clearInterval(sweep);
  };
}

/** Marks whose badge shows at every zoom (UnitLayers' 'officers-att'). */
const EXCEPTIONS = new Set(['late', 'missing', 'off']);
/** Zoom from which every officer in view has a label or badge ('officers-att-on' 15, 'officers-label' 15.5). */
export const LABELS_ALL_FROM_ZOOM = 15;

type Bounds = { west: number; east: number; south: number; north: number };

/**
 * With the dots layer, what the officers' GeoJSON source keeps (their labels and badges): exceptions always,
 * and from LABELS_ALL_FROM_ZOOM every officer within the view padded by half a screen each way. `keep` is
 * the UnitFeed's; `take` the map's view when it stops, true when the kept set may have changed (the source
 * must be re-diffed): never below the zoom, nor while the view stays inside the padded one.
 */
export class LabelsView {
  private kept: Bounds & { zoom: number } = { zoom: 0, west: 0, east: 0, south: 0, north: 0 };

  readonly keep = (track: Track, mark: string): boolean => {
    if (EXCEPTIONS.has(mark)) return true;
    const v = this.kept;
    const { lng, lat } = track.fix;
    return v.zoom >= LABELS_ALL_FROM_ZOOM && lng >= v.west && lng <= v.east && lat >= v.south && lat <= v.north;
  };

  take(zoom: number, b: Bounds): boolean {
    const was = this.kept;
    const close = zoom >= LABELS_ALL_FROM_ZOOM;
    const wasClose = was.zoom >= LABELS_ALL_FROM_ZOOM;
    if (!close && !wasClose) {
      this.kept = { ...was, zoom };
      return false;
    }
    if (close && wasClose && Math.abs(zoom - was.zoom) < 0.5 && b.west >= was.west && b.east <= was.east && b.south >= was.south && b.north <= was.north) return false;
    const w = (b.east - b.west) / 2;
    const h = (b.north - b.south) / 2;
    this.kept = { zoom, west: b.west - w, east: b.east + w, south: b.south - h, north: b.north + h };
    return true;
  }
}

/**
 * Keep `view` on the map's view: taken now and whenever the map stops; `changed` runs when what the labels'
 * source keeps may have changed (the source must be re-diffed). Returns the stop.
 */
export function followView(map: MlMap, view: LabelsView, changed: () => void): () => void {
  const take = () => {
    const b = map.getBounds();
    return view.take(map.getZoom(), { west: b.getWest(), east: b.getEast(), south: b.getSouth(), north: b.getNorth() });
  };
  take();
  const stopped = () => {
    if (take()) changed();
  };
  map.on('moveend', stopped);
  return () => void map.off('moveend', stopped);
}

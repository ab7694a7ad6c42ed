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
 * large costs its main thread the bounds of every old and new geometry to find the tiles it touched. Only
 * for the largest sources (20,000 officers drawn as GeoJSON): a replacement costs the map's worker transfer
 * every feature, a diff only the changed ones, and on the vehicles of a 20,000-unit city (2,500) diffs cost
 * the main thread less (map bench, docs/performance.md, "Officers drawn from a vertex buffer").
 */
export const FULL_SHARE = 0.25;
export const FULL_MIN_UNITS = 5000;

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

/**
 * What a feed limited to some units keeps (LabelsView): `keep` decides for one unit; `candidates` names, when
 * it can, every unit `keep` could accept at all with these marks (a few hundred exceptions where the fleet
 * is 20,000), or null when any unit could be. With candidates, a flush visits them and the units the source
 * holds instead of every unit it changed.
 */
export type Keep = {
  keep(track: Track, mark: string): boolean;
  candidates(marks: ReadonlyMap<string, AttendanceMark>): ReadonlySet<string> | null;
};

export class UnitFeed {
  private readonly shown = new Map<string, Shown>();
  /** The ids of this feed's kind in the units map they were found in (UnitFeed.visit). */
  private kindIds: { units: ReadonlyMap<string, Unit> | null; ids: Set<string> } = { units: null, ids: new Set() };
  /** Only vehicles' arrows turn with their heading: officers' dots and trails carry none. */
  private readonly headings: boolean;

  /**
   * `kind` limits the feed to officers or vehicles; `trails` makes line features of recent positions instead
   * of points; `keep`, when given, limits the source to the units it accepts (with the dots layer, the
   * officers' source holds only those whose label or badge can be drawn).
   */
  constructor(private readonly kind: UnitKind, private readonly trails = false, private readonly keep?: Keep) {
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
    const { shown, trails, headings, kind, keep } = this;
    for (const id of this.visit(ids, units, marks)) {
      const unit = units.get(id);
      const track = tracks.get(id);
      const before = shown.get(id);
      if (!unit || unit.kind !== kind || !track || (trails && track.trail.length < 2) || (keep && !keep.keep(track, marks.get(id) ?? ''))) {
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
      // Only what the layers read (each property is walked again by maplibre's worker transfer, per unit per
      // flush): a trail its colour; a vehicle's arrow and label no attendance mark.
      const properties: GeoJSON.GeoJsonProperties = trails ? { cls } : headings ? { id, cls, ago, heading, name: unit.name } : { id, cls, ago, name: unit.name, att };
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

  /**
   * The units of `ids` this diff must look at: all of them, or, when `ids` is a set larger than the units
   * that could be kept (the keep's candidates, else the units of this feed's kind: a vehicles' feed is
   * handed every officer a flush moved) and those shown together, those of it that are either: any other
   * unit of `ids` would be neither sent nor removed.
   */
  private *visit(ids: Iterable<string>, units: ReadonlyMap<string, Unit>, marks: ReadonlyMap<string, AttendanceMark>): Iterable<string> {
    if (!(ids instanceof Set)) {
      yield* ids;
      return;
    }
    const set = ids as ReadonlySet<string>;
    const only = this.keep?.candidates(marks) ?? this.ofKind(units);
    if (set.size <= only.size + this.shown.size) {
      yield* set;
      return;
    }
    for (const id of only) if (set.has(id)) yield id;
    for (const id of [...this.shown.keys()]) if (set.has(id) && !only.has(id)) yield id;
  }

  private ofKind(units: ReadonlyMap<string, Unit>): ReadonlySet<string> {
    if (this.kindIds.units !== units) {
      const ids = new Set<string>();
      for (const u of units.values()) if (u.kind === this.kind) ids.add(u.id);
      this.kindIds = { units, ids };
    }
    return this.kindIds.ids;
  }

  /**
   * The units the sweep must re-diff: those the source holds (their ages and classes change with time). A unit
   * it does not hold stays out whatever the time: of another kind, without a record, a trail of one point, or
   * not kept (which depends on marks and the view, never on time).
   */
  due(): Iterable<string> {
    return [...this.shown.keys()];
  }

  private geometry(track: Track): GeoJSON.Geometry {
    return this.trails
      // A copy of the list (the store appends to it), sharing its points (never changed once added).
      ? { type: 'LineString', coordinates: track.trail.slice() }
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
  /** The units the periodic sweep must re-diff at `now`; every unit when absent. */
  due?(now: number): Iterable<string>;
};

/**
 * The console's live update path for one map source: every position flush sends the diff of the units it
 * changed, and a sweep every `sweepMs` re-evaluates the ages and classes of the units the feed names (due),
 * every unit when it names none. Returns the stop.
 * One diff at a time: while the map's worker still has the last one (`send`'s promise), the units changed
 * meanwhile are only noted, and go in one diff once it is done — never several diffs queued for the map to
 * merge, and a unit that moved twice meanwhile is sent once, where it is now.
 * (The map bench, tests/bench/map-frames.ts, runs this very function.)
 */
export function feedFromPositions<D = GeoJSONSourceDiff>(feed: Feed<D>, inputs: FeedInputs, send: (diff: D) => Promise<void> | void, sweepMs = SWEEP_MS): () => void {
  const { positions, units, marks, now } = inputs;
  let busy = false;
  let stopped = false;
  let waiting = new Set<string>();
  const done = () => {
    busy = false;
    if (stopped || !waiting.size) return;
    // As a set, as the flush's own: a feed may look up in it rather than walk it (UnitFeed.visit).
    const ids = waiting;
    waiting = new Set();
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
const EXCEPTIONS: ReadonlySet<string> = new Set(['late', 'missing', 'off']);
/** For a source no mark keeps at every zoom (the vehicles' labels). */
export const NO_EXCEPTIONS: ReadonlySet<string> = new Set();
/** Zoom from which every officer in view has a label or badge ('officers-att-on' 15, 'officers-label' 15.5). */
export const LABELS_ALL_FROM_ZOOM = 15;
/** Zoom from which the vehicles' labels show (unit-styles' 'vehicles-label' minzoom). */
export const VEHICLE_LABELS_FROM_ZOOM = 14;

type Bounds = { west: number; east: number; south: number; north: number };

/**
 * With the dots layer, what the officers' GeoJSON source keeps (their labels and badges): exceptions always,
 * and from LABELS_ALL_FROM_ZOOM every officer within the view padded by half a screen each way. `keep` is
 * the UnitFeed's; `take` the map's view when it stops, true when the kept set may have changed (the source
 * must be re-diffed): never below the zoom, nor while the view stays inside the padded one.
 * With the arrows layer, the vehicles' source likewise (their labels): `new LabelsView(VEHICLE_LABELS_FROM_ZOOM,
 * NO_EXCEPTIONS)`, every vehicle in the padded view from zoom 14 and none below it.
 */
export class LabelsView implements Keep {
  private kept: Bounds & { zoom: number } = { zoom: 0, west: 0, east: 0, south: 0, north: 0 };
  /** The officers with an exception mark, for the marks they were found in. */
  private exceptions: { marks: ReadonlyMap<string, AttendanceMark> | null; ids: Set<string> } = { marks: null, ids: new Set() };

  /** `fromZoom`: where every unit in view is kept; `marked`: the marks kept at every zoom. */
  constructor(private readonly fromZoom = LABELS_ALL_FROM_ZOOM, private readonly marked: ReadonlySet<string> = EXCEPTIONS) {}

  /** Below the zoom only the exceptions can be kept; from it, any unit (by where it is). */
  candidates(marks: ReadonlyMap<string, AttendanceMark>): ReadonlySet<string> | null {
    if (this.kept.zoom >= this.fromZoom) return null;
    if (this.exceptions.marks !== marks) {
      const ids = new Set<string>();
      if (this.marked.size) for (const [id, m] of marks) if (this.marked.has(m)) ids.add(id);
      this.exceptions = { marks, ids };
    }
    return this.exceptions.ids;
  }

  keep(track: Track, mark: string): boolean {
    if (this.marked.has(mark)) return true;
    const v = this.kept;
    const { lng, lat } = track.fix;
    return v.zoom >= this.fromZoom && lng >= v.west && lng <= v.east && lat >= v.south && lat <= v.north;
  }

  take(zoom: number, b: Bounds): boolean {
    const was = this.kept;
    const close = zoom >= this.fromZoom;
    const wasClose = was.zoom >= this.fromZoom;
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

// Turns merged live positions + unit records into small GeoJSON diffs for a map source: only units whose
// position or look changed are sent (source.updateData), so a flush costs what changed, not the fleet.
import type { GeoJSONSourceDiff } from 'maplibre-gl';
import type { Unit, UnitKind } from '../../../shared/domain';
import type { PositionStore, Track } from '../hub/positions';
import type { AttendanceMark } from '../state/attendance';
import { freshness, shortAge } from './freshness';

/** The one class the map paints a unit by: SOS beats everything, then position age, then duty status. */
export type UnitClass = 'sos' | 'offline' | 'stale' | 'on_post' | 'patrolling' | 'on_task' | 'off_duty';

type Shown = { lng: number; lat: number; cls: UnitClass; ago: string; heading: number; name: string; trail: number; att: string };

const NO_MARKS: ReadonlyMap<string, AttendanceMark> = new Map();

/** A unit's class and its age label ('' while live) at `now`. */
export function classify(unit: Unit, track: Track, now: number): { cls: UnitClass; ago: string } {
  const f = freshness(track.fix.t, now);
  const ago = f === 'live' ? '' : shortAge(now - track.fix.t);
  if (unit.status === 'sos') return { cls: 'sos', ago };
  if (f !== 'live') return { cls: f, ago };
  return { cls: unit.status, ago };
}

export class UnitFeed {
  private readonly shown = new Map<string, Shown>();

  /** `kind` limits the feed to officers or vehicles; `trails` makes line features of recent positions instead of points. */
  constructor(private readonly kind: UnitKind, private readonly trails = false) {}

  /** The diff that brings the source up to date for `ids`; null when nothing visible changed. */
  /** `marks`: each officer's attendance mark (`att`: '' for none); the layer draws it stale when the fix is. */
  diff(ids: Iterable<string>, units: ReadonlyMap<string, Unit>, tracks: ReadonlyMap<string, Track>, now: number, marks = NO_MARKS): GeoJSONSourceDiff | null {
    const add: GeoJSON.Feature[] = [];
    const update: NonNullable<GeoJSONSourceDiff['update']> = [];
    const remove: string[] = [];
    for (const id of ids) {
      const unit = units.get(id);
      const track = tracks.get(id);
      const before = this.shown.get(id);
      if (!unit || unit.kind !== this.kind || !track || (this.trails && track.trail.length < 2)) {
        if (before) {
          remove.push(id);
          this.shown.delete(id);
        }
        continue;
      }
      const { cls, ago } = classify(unit, track, now);
      const att = marks.get(id) ?? '';
      const now_: Shown = { lng: track.fix.lng, lat: track.fix.lat, cls, ago, heading: track.fix.heading ?? 0, name: unit.name, trail: track.trail.length, att };
      const geometry: GeoJSON.Geometry = this.trails
        ? { type: 'LineString', coordinates: track.trail.map((p) => [p[0], p[1]]) }
        : { type: 'Point', coordinates: [now_.lng, now_.lat] };
      if (!before) {
        add.push({ type: 'Feature', id, geometry, properties: { id, cls, ago, heading: now_.heading, name: now_.name, att } });
      } else {
        const moved = before.lng !== now_.lng || before.lat !== now_.lat || before.trail !== now_.trail;
        const props: { key: string; value: string | number }[] = [];
        if (before.cls !== cls) props.push({ key: 'cls', value: cls });
        if (before.ago !== ago) props.push({ key: 'ago', value: ago });
        if (before.heading !== now_.heading) props.push({ key: 'heading', value: now_.heading });
        if (before.name !== now_.name) props.push({ key: 'name', value: now_.name });
        if (before.att !== att) props.push({ key: 'att', value: att });
        if (moved || props.length) update.push({ id, ...(moved ? { newGeometry: geometry } : {}), ...(props.length ? { addOrUpdateProperties: props } : {}) });
      }
      this.shown.set(id, now_);
    }
    if (!add.length && !update.length && !remove.length) return null;
    return { add, update, remove };
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

/**
 * The console's live update path for one map source: every position flush sends the diff of the units it
 * changed, and a sweep every `sweepMs` re-evaluates every unit's age and class. Returns the stop.
 * (The map bench, tests/bench/map-frames.ts, runs this very function.)
 */
export function feedFromPositions(feed: UnitFeed, inputs: FeedInputs, send: (diff: GeoJSONSourceDiff) => void, sweepMs = SWEEP_MS): () => void {
  const { positions, units, marks, now } = inputs;
  const push = (ids: Iterable<string>) => {
    const diff = feed.diff(ids, units(), positions.all(), now(), marks());
    if (diff) send(diff);
  };
  const unsubscribe = positions.subscribe((f) => push(f.changed));
  const sweep = setInterval(() => push(positions.all().keys()), sweepMs);
  return () => {
    unsubscribe();
    clearInterval(sweep);
  };
}

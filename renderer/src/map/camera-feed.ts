// Turns the cameras (fixed ones, and vehicle and body-worn ones drawn where their unit is) into GeoJSON
// diffs for the cameras source: only cameras whose place or look changed go to the map (updateData),
// so the moving cameras' refresh every 2 s costs what moved, not every camera in the city.
import type { GeoJSONSourceDiff } from 'maplibre-gl';
import type { Camera } from '../../../shared/domain';
import type { StreamHealth } from '../../../shared/protocol';
import type { PositionStore } from '../hub/positions';

export type StreamLook = 'live' | 'stale' | 'offline' | 'idle' | 'unknown';

/** A stream that is up but whose newest segment is this old is shown as stale. */
const STALE_SEGMENT_MS = 10_000;

export function streamLook(h: StreamHealth | null | undefined): StreamLook {
  if (!h) return 'unknown';
  if (h.state === 'down') return 'offline';
  if (h.state === 'idle') return 'idle';
  if (h.state === 'starting') return 'stale';
  return h.segmentAgeMs !== null && h.segmentAgeMs > STALE_SEGMENT_MS ? 'stale' : 'live';
}

type Props = { id: string; name: string; kind: Camera['kind']; key: boolean; look: StreamLook; facing: number };
type Shown = { lng: number; lat: number; props: Props };

const PROP_KEYS = ['name', 'kind', 'key', 'look', 'facing'] as const;

export class CameraFeed {
  private readonly shown = new Map<string, Shown>();

  /** The diff that brings the source up to date with every camera now; null when nothing visible changed. */
  diff(cameras: ReadonlyMap<string, Camera>, streams: ReadonlyMap<string, StreamHealth>, positions: PositionStore, known: boolean): GeoJSONSourceDiff | null {
    const add: GeoJSON.Feature[] = [];
    const update: NonNullable<GeoJSONSourceDiff['update']> = [];
    const remove: string[] = [];
    for (const c of cameras.values()) {
      const track = c.unitId ? positions.get(c.unitId) : undefined;
      const at = c.position ?? track?.trail.at(-1);
      const before = this.shown.get(c.id);
      if (!at) {
        if (before) {
          remove.push(c.id);
          this.shown.delete(c.id);
        }
        continue;
      }
      const props: Props = { id: c.id, name: c.name, kind: c.kind, key: c.key, look: known ? streamLook(streams.get(c.id)) : 'unknown', facing: c.facing ?? track?.fix.heading ?? -1 };
      const now: Shown = { lng: at[0], lat: at[1], props };
      this.shown.set(c.id, now);
      const geometry: GeoJSON.Point = { type: 'Point', coordinates: [now.lng, now.lat] };
      if (!before) {
        add.push({ type: 'Feature', id: c.id, geometry, properties: { ...props } });
        continue;
      }
      const moved = before.lng !== now.lng || before.lat !== now.lat;
      const changed = PROP_KEYS.filter((k) => before.props[k] !== props[k]).map((k) => ({ key: k, value: props[k] }));
      if (moved || changed.length) update.push({ id: c.id, ...(moved ? { newGeometry: geometry } : {}), ...(changed.length ? { addOrUpdateProperties: changed } : {}) });
    }
    for (const id of this.shown.keys()) {
      if (cameras.has(id)) continue;
      remove.push(id);
      this.shown.delete(id);
    }
    if (!add.length && !update.length && !remove.length) return null;
    return { add, update, remove };
  }

  /** Forget what was shown (the source was emptied). */
  reset(): void {
    this.shown.clear();
  }
}

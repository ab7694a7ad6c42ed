// Scale every label on the map (wall scale) without each layer knowing: text sizes are read once from each
// symbol layer as it was added and re-set as max(min, size × factor). Zoom-interpolated sizes keep their
// stops, each stop scaled.
import type { DataDrivenPropertyValueSpecification, Map as MlMap } from 'maplibre-gl';

type Size = DataDrivenPropertyValueSpecification<number>;

export class TextScaler {
  private readonly original = new Map<string, Size>();
  private applied = new Map<string, string>();

  constructor(private readonly map: MlMap, private factor = 1, private minPx = 0) {}

  set(factor: number, minPx: number): void {
    this.factor = factor;
    this.minPx = minPx;
    this.apply();
  }

  /** Bring every symbol layer to the current factor; cheap when nothing changed (also run on styledata). */
  apply(): void {
    const layers = this.map.getStyle()?.layers ?? [];
    for (const l of layers) {
      if (l.type !== 'symbol' || !l.layout || !('text-field' in l.layout)) continue;
      if (!this.original.has(l.id)) this.original.set(l.id, (l.layout['text-size'] as Size | undefined) ?? 16);
      const want = this.scaled(this.original.get(l.id)!);
      const key = JSON.stringify(want);
      if (this.applied.get(l.id) === key) continue;
      this.applied.set(l.id, key);
      this.map.setLayoutProperty(l.id, 'text-size', want);
    }
    for (const id of this.original.keys()) if (!this.map.getLayer(id)) {
      this.original.delete(id);
      this.applied.delete(id);
    }
  }

  private scaled(size: Size): Size {
    const one = (v: number) => (this.factor === 1 ? v : Math.max(this.minPx, Math.round(v * this.factor * 10) / 10));
    if (typeof size === 'number') return one(size);
    // ['interpolate', curve, ['zoom'], z1, v1, z2, v2, …] with numeric outputs
    if (Array.isArray(size) && size[0] === 'interpolate' && (size as unknown[]).slice(3).every((x) => typeof x === 'number')) {
      return [...size.slice(0, 3), ...size.slice(3).map((x, i) => (i % 2 === 1 ? one(x as number) : x))] as Size;
    }
    return size;
  }
}

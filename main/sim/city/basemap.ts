// Copies of the OSM layers for the map console, cut to the area around the demo city: lines are kept
// whole (a street stopping mid-block at the edge looks broken), polygons are clipped (the Yangtze and
// the big land-use areas would otherwise drag in kilometres of coastline nobody sees).
import { BASEMAP_LAYERS, type BasemapLayer, type Feature, type FeatureCollection, type Geometry, type OsmData, type Position } from './osm';
import { bboxContains, bboxOf, bboxesIntersect, roundPoint, type BBox } from './bbox';

export type Basemap = Record<BasemapLayer, FeatureCollection>;

export function trimBasemap(osm: OsmData, view: BBox): Basemap {
  const out: Partial<Basemap> = {};
  for (const layer of BASEMAP_LAYERS) {
    const features: Feature[] = [];
    for (const f of osm[layer].features) {
      const geometry = trimGeometry(f.geometry, view);
      if (geometry) features.push({ type: 'Feature', properties: f.properties, geometry });
    }
    out[layer] = { type: 'FeatureCollection', features };
  }
  return out as Basemap;
}

function trimGeometry(g: Geometry, view: BBox): Geometry | null {
  switch (g.type) {
    case 'LineString': {
      if (!bboxesIntersect(bboxOf(g.coordinates), view)) return null;
      const line = roundLine(g.coordinates);
      return line.length >= 2 ? { type: 'LineString', coordinates: line } : null;
    }
    case 'MultiLineString': {
      const lines = g.coordinates.filter((l) => bboxesIntersect(bboxOf(l), view)).map(roundLine).filter((l) => l.length >= 2);
      return lines.length ? { type: 'MultiLineString', coordinates: lines } : null;
    }
    case 'Polygon': {
      const poly = clipPolygon(g.coordinates, view);
      return poly ? { type: 'Polygon', coordinates: poly } : null;
    }
    case 'MultiPolygon': {
      const polys = g.coordinates.map((p) => clipPolygon(p, view)).filter((p): p is Position[][] => p !== null);
      return polys.length ? { type: 'MultiPolygon', coordinates: polys } : null;
    }
  }
}

/** Round to 6 decimals and drop the repeated points that rounding creates. */
function roundLine(line: Position[]): Position[] {
  const out: Position[] = [];
  for (const p of line) {
    const r = roundPoint(p);
    const last = out[out.length - 1];
    if (!last || last[0] !== r[0] || last[1] !== r[1]) out.push(r);
  }
  return out;
}

function clipPolygon(rings: Position[][], view: BBox): Position[][] | null {
  const outer = rings[0];
  if (!outer || !bboxesIntersect(bboxOf(outer), view)) return null;
  const out: Position[][] = [];
  for (const ring of rings) {
    const clipped = bboxContains(view, bboxOf(ring)) ? ring : clipRing(ring, view);
    const closed = closeRing(roundLine(clipped));
    if (closed.length >= 4) out.push(closed);
    else if (out.length === 0) return null; // the outer ring vanished: so did the polygon
  }
  return out.length ? out : null;
}

function closeRing(ring: Position[]): Position[] {
  if (ring.length === 0) return ring;
  const [first, last] = [ring[0]!, ring[ring.length - 1]!];
  return first[0] === last[0] && first[1] === last[1] ? ring : [...ring, first];
}

/** Sutherland–Hodgman against the four sides of the box; fine for drawing (it may leave
 * zero-area slivers along the edge, which render as nothing). */
function clipRing(ring: Position[], [w, s, e, n]: BBox): Position[] {
  type Side = { inside: (p: Position) => boolean; cut: (a: Position, b: Position) => Position };
  const atX = (x: number) => (a: Position, b: Position): Position => [x, a[1] + ((b[1] - a[1]) * (x - a[0])) / (b[0] - a[0])];
  const atY = (y: number) => (a: Position, b: Position): Position => [a[0] + ((b[0] - a[0]) * (y - a[1])) / (b[1] - a[1]), y];
  const sides: Side[] = [
    { inside: (p) => p[0] >= w, cut: atX(w) },
    { inside: (p) => p[0] <= e, cut: atX(e) },
    { inside: (p) => p[1] >= s, cut: atY(s) },
    { inside: (p) => p[1] <= n, cut: atY(n) },
  ];
  let pts = ring;
  for (const side of sides) {
    const input = pts;
    pts = [];
    for (let i = 0; i < input.length; i++) {
      const cur = input[i]!;
      const prev = input[(i + input.length - 1) % input.length]!;
      if (side.inside(cur)) {
        if (!side.inside(prev)) pts.push(side.cut(prev, cur));
        pts.push(cur);
      } else if (side.inside(prev)) {
        pts.push(side.cut(prev, cur));
      }
    }
    if (pts.length === 0) break;
  }
  return pts;
}

// The grid an admin edits (issue 18): grid cells (polygons), posts (a point and the radius that counts
// as "at the post", inside their cell) and patrol routes (a line on the roads), the checks each must
// pass, and the GeoJSON the admin imports and exports. Pure: the hub checks with these (and with the
// road network, which only it has), the console checks with them before it sends.
import { z } from 'zod';
import { Id, LngLat, ModeName, Polygon, type Area, type Route } from './domain';
import { pointInPolygon } from './geo';

/** Bounds of what a cell may be: a few buildings, at most a district's size. */
export const CELL_AREA_MIN_M2 = 2_000;
export const CELL_AREA_MAX_M2 = 30_000_000;
export const CELL_VERTICES_MAX = 500;
/** A post's fence: wide enough for GPS in a street canyon, small enough to mean "here". */
export const POST_RADIUS_MIN_M = 10;
export const POST_RADIUS_MAX_M = 500;
export const ROUTE_POINTS_MAX = 200;
/** A drawn route point farther than this from a road is refused rather than pulled onto one. */
export const ROUTE_SNAP_MAX_M = 60;
/** Features one import may hold. */
export const IMPORT_FEATURES_MAX = 2_000;

export type BBox = [west: number, south: number, east: number, north: number];

const GridName = z.string().trim().min(1).max(60);

export const CellInput = z.strictObject({
  /** absent: a new cell, the hub gives it an id */
  id: Id.optional(),
  name: GridName,
  /** the district it belongs to (null: none) */
  parentId: Id.nullable().default(null),
  polygon: Polygon,
});
export type CellInput = z.infer<typeof CellInput>;

export const PostInput = z.strictObject({
  id: Id.optional(),
  name: GridName,
  /** the cell it lies in (its parent) */
  cellId: Id,
  center: LngLat,
  radiusM: z.number().min(POST_RADIUS_MIN_M).max(POST_RADIUS_MAX_M),
});
export type PostInput = z.infer<typeof PostInput>;

export const RouteInput = z.strictObject({
  id: Id.optional(),
  name: GridName,
  /** as drawn; the hub stores it snapped to the roads */
  line: z.array(LngLat).min(2).max(ROUTE_POINTS_MAX),
  modes: z.array(ModeName).min(1).max(4),
});
export type RouteInput = z.infer<typeof RouteInput>;

/** What a read of the grid gives: the version every change bumps (1: the grid as seeded) and its parts. */
export type GridState = { version: number; areas: Area[]; routes: Route[] };

/** Local metres around a reference point (equirectangular: fine at city scale). */
function projector(ref: LngLat): (p: LngLat) => [number, number] {
  const ky = 111_320;
  const kx = ky * Math.cos((ref[1] * Math.PI) / 180);
  return (p) => [(p[0] - ref[0]) * kx, (p[1] - ref[1]) * ky];
}

export function ringAreaM2(ring: readonly LngLat[]): number {
  const xy = ring.map(projector(ring[0]!));
  let twice = 0;
  for (let i = 0; i + 1 < xy.length; i++) twice += xy[i]![0] * xy[i + 1]![1] - xy[i + 1]![0] * xy[i]![1];
  return Math.abs(twice) / 2;
}

function orient(a: [number, number], b: [number, number], c: [number, number]): number {
  const v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]);
  return Math.abs(v) < 1e-9 ? 0 : Math.sign(v);
}
function onSegment(a: [number, number], b: [number, number], p: [number, number]): boolean {
  return Math.min(a[0], b[0]) - 1e-9 <= p[0] && p[0] <= Math.max(a[0], b[0]) + 1e-9 && Math.min(a[1], b[1]) - 1e-9 <= p[1] && p[1] <= Math.max(a[1], b[1]) + 1e-9;
}
function segmentsCross(a: [number, number], b: [number, number], c: [number, number], d: [number, number]): boolean {
  const o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
  if (o1 !== o2 && o3 !== o4) return true;
  return (o1 === 0 && onSegment(a, b, c)) || (o2 === 0 && onSegment(a, b, d)) || (o3 === 0 && onSegment(c, d, a)) || (o4 === 0 && onSegment(c, d, b));
}

/** The first pair of edges of a closed ring that cross or touch (other than neighbours at their shared vertex), or null. */
export function selfIntersection(ring: readonly LngLat[]): [number, number] | null {
  const xy = ring.map(projector(ring[0]!));
  const n = xy.length - 1; // edges
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (j === i + 1 || (i === 0 && j === n - 1)) continue; // neighbours share a vertex
      if (segmentsCross(xy[i]!, xy[i + 1]!, xy[j]!, xy[j + 1]!)) return [i, j];
    }
  }
  return null;
}

export const inBounds = (p: LngLat, b: BBox): boolean => p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3];

/**
 * Why the grid refuses an edit, as a stable code and its parameters (the wire's Issue, shared/protocol/
 * commands.ts): the hub words it in English for its record (gridIssueInEnglish), the admin's screen in the
 * admin's language. The first group are the shape checks of this file; the rest the hub's own (ids, the
 * roads, what still uses a cell or post, an imported file's features).
 */
type GridIssueParams = {
  cell_holes: Record<string, never>; ring_open: Record<string, never>; few_corners: Record<string, never>;
  many_corners: { max: number; n: number }; repeated_corner: { corner: number }; corner_off_map: { corner: number; lng: string; lat: string };
  outline_crosses: { a: number; b: number }; cell_too_small: { m2: number; min: number }; cell_too_large: { km2: string; max: number };
  post_off_map: { post: string }; post_no_cell: { post: string }; post_outside_cell: { post: string; cell: string };
  no_district: { id: string }; parent_not_district: { name: string; kind: string };
  post_would_leave_cell: { cell: string; post: string }; no_cell: { id: string }; parent_not_cell: { name: string; kind: string };
  no_roads: Record<string, never>; route_point_off_road: { point: number; m: number; max: number }; route_no_path: { from: number; to: number };
  route_one_place: Record<string, never>;
  id_retired: { id: string; kind: string }; id_other_kind: { id: string; kind: string; want: string };
  grid_changed: { base: number; now: number };
  cell_holds_posts: { cell: string; posts: string }; in_use: { kind: string; name: string; units: string }; post_shifts_ahead: { post: string; count: number };
  feature_shape: { detail: string }; wrong_geometry: { kind: string; want: string; got: string }; duplicate_id: { id: string };
};
export type GridIssueCode = keyof GridIssueParams;
export type GridIssue = { [K in GridIssueCode]: { code: K; params: GridIssueParams[K] } }[GridIssueCode];
const issue = <K extends GridIssueCode>(code: K, params: GridIssueParams[K]) => ({ code, params }) as GridIssue;
const none = {} as Record<string, never>;

export function polygonIssue(polygon: Polygon, bounds: BBox | null): GridIssue | null {
  if (polygon.coordinates.length !== 1) return issue('cell_holes', none);
  const ring = polygon.coordinates[0]!;
  const first = ring[0]!, last = ring[ring.length - 1]!;
  if (first[0] !== last[0] || first[1] !== last[1]) return issue('ring_open', none);
  if (ring.length - 1 < 3) return issue('few_corners', none);
  if (ring.length - 1 > CELL_VERTICES_MAX) return issue('many_corners', { max: CELL_VERTICES_MAX, n: ring.length - 1 });
  for (let i = 1; i < ring.length; i++) {
    if (ring[i]![0] === ring[i - 1]![0] && ring[i]![1] === ring[i - 1]![1]) return issue('repeated_corner', { corner: i + 1 });
  }
  if (bounds) {
    const out = ring.findIndex((p) => !inBounds(p, bounds));
    if (out >= 0) return issue('corner_off_map', { corner: out + 1, lng: ring[out]![0].toFixed(5), lat: ring[out]![1].toFixed(5) });
  }
  const crossing = selfIntersection(ring);
  if (crossing) return issue('outline_crosses', { a: crossing[0] + 1, b: crossing[1] + 1 });
  const area = ringAreaM2(ring);
  if (area < CELL_AREA_MIN_M2) return issue('cell_too_small', { m2: Math.round(area), min: CELL_AREA_MIN_M2 });
  if (area > CELL_AREA_MAX_M2) return issue('cell_too_large', { km2: (area / 1e6).toFixed(1), max: CELL_AREA_MAX_M2 / 1e6 });
  return null;
}

export function postIssue(post: { name: string; center: LngLat }, cell: { name: string; polygon: Polygon | null } | undefined, bounds: BBox | null): GridIssue | null {
  if (bounds && !inBounds(post.center, bounds)) return issue('post_off_map', { post: post.name });
  if (!cell?.polygon) return issue('post_no_cell', { post: post.name });
  if (!pointInPolygon(post.center, cell.polygon)) return issue('post_outside_cell', { post: post.name, cell: cell.name });
  return null;
}

/** An issue in English, as the hub records and sends it in `message`. */
export function gridIssueInEnglish(i: GridIssue): string {
  switch (i.code) {
    case 'cell_holes': return 'a cell is one ring, without holes';
    case 'ring_open': return 'the ring is not closed: its last point must repeat its first';
    case 'few_corners': return 'a cell needs at least 3 corners';
    case 'many_corners': return `a cell has at most ${i.params.max} corners (this one has ${i.params.n})`;
    case 'repeated_corner': return `corner ${i.params.corner} repeats the corner before it`;
    case 'corner_off_map': return `corner ${i.params.corner} (${i.params.lng}, ${i.params.lat}) is outside the city's map`;
    case 'outline_crosses': return `the outline crosses itself (edges ${i.params.a} and ${i.params.b})`;
    case 'cell_too_small': return `a cell of ${i.params.m2} m² is too small (at least ${i.params.min} m²)`;
    case 'cell_too_large': return `a cell of ${i.params.km2} km² is too large (at most ${i.params.max} km²)`;
    case 'post_off_map': return `post ${i.params.post} is outside the city's map`;
    case 'post_no_cell': return `post ${i.params.post} needs a cell with an outline`;
    case 'post_outside_cell': return `post ${i.params.post} lies outside its cell ${i.params.cell}`;
    case 'no_district': return `no district ${i.params.id}`;
    case 'parent_not_district': return `a cell belongs to a district; ${i.params.name} is a ${i.params.kind}`;
    case 'post_would_leave_cell': return `cell ${i.params.cell}: post ${i.params.post} would lie outside the new outline; move or delete the post first`;
    case 'no_cell': return `no cell ${i.params.id}`;
    case 'parent_not_cell': return `a post stands in a cell; ${i.params.name} is a ${i.params.kind}`;
    case 'no_roads': return 'the hub has no road network loaded, so a route cannot be put on the roads';
    case 'route_point_off_road': return `point ${i.params.point} of the route is ${i.params.m < 0 ? 'more than 5 km' : `${i.params.m} m`} from the nearest road; a route point must be within ${i.params.max} m of one`;
    case 'route_no_path': return `no road a vehicle may drive leads from point ${i.params.from} to point ${i.params.to} of the route`;
    case 'route_one_place': return 'the route\'s points all snap to one place on the road; draw it along a street';
    case 'id_retired': return `${i.params.id} belonged to a deleted ${i.params.kind}; the record keeps it, so give the new one another id`;
    case 'id_other_kind': return `${i.params.id} is a ${i.params.kind}, not a ${i.params.want}`;
    case 'grid_changed': return `the grid changed since version ${i.params.base} (now ${i.params.now}): read it again and redo the edit`;
    case 'cell_holds_posts': return `cell ${i.params.cell} still holds post(s) ${i.params.posts}; delete or move them first`;
    case 'in_use': return `${i.params.kind} ${i.params.name} is assigned to ${i.params.units}; assign them elsewhere first`;
    case 'post_shifts_ahead': return `post ${i.params.post} has ${i.params.count} shift(s) on the roster still to come; import a roster without them first`;
    case 'feature_shape': return i.params.detail;
    case 'wrong_geometry': return `a ${i.params.kind} is a ${i.params.want}, not a ${i.params.got}`;
    case 'duplicate_id': return `id ${i.params.id} appears twice in the file`;
  }
}

/** Why a cell's polygon cannot be stored, in words (null: it can). */
export function polygonProblem(polygon: Polygon, bounds: BBox | null): string | null {
  const i = polygonIssue(polygon, bounds);
  return i && gridIssueInEnglish(i);
}

/** Why a post cannot stand in its cell (null: it can): its point must lie inside the cell. */
export function postProblem(post: { name: string; center: LngLat }, cell: { name: string; polygon: Polygon | null } | undefined, bounds: BBox | null): string | null {
  const i = postIssue(post, cell, bounds);
  return i && gridIssueInEnglish(i);
}

/** The centre a cell is labelled at: the mean of its corners (its first ring, the closing point left out). */
export function ringCenter(ring: readonly LngLat[]): LngLat {
  const pts = ring.slice(0, -1);
  const lng = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const lat = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  return [Math.round(lng * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6];
}

/** Close a ring if its last point does not repeat its first (drawing tools and hand-made files differ). */
export function closeRing(ring: LngLat[]): LngLat[] {
  const first = ring[0], last = ring[ring.length - 1];
  return first && last && (first[0] !== last[0] || first[1] !== last[1]) ? [...ring, first] : ring;
}

// ---- GeoJSON: one feature per cell, post and route; `properties.kind` says which. ----

export const GridFeatureProps = z.object({
  kind: z.enum(['cell', 'post', 'route']),
  id: Id.optional(),
  name: GridName,
  parentId: Id.nullable().optional(),
  cellId: Id.optional(),
  radiusM: z.number().optional(),
  modes: z.array(ModeName).optional(),
});

// Other members (the export's gridVersion, a name, a crs) are let through: files from other tools carry them.
export const GridImport = z.object({
  type: z.literal('FeatureCollection'),
  features: z.array(z.unknown()).min(1).max(IMPORT_FEATURES_MAX),
});
export type GridImport = z.infer<typeof GridImport>;

const Feature = z.object({
  type: z.literal('Feature'),
  properties: GridFeatureProps,
  geometry: z.discriminatedUnion('type', [
    z.object({ type: z.literal('Polygon'), coordinates: z.array(z.array(LngLat)) }),
    z.object({ type: z.literal('Point'), coordinates: LngLat }),
    z.object({ type: z.literal('LineString'), coordinates: z.array(LngLat) }),
  ]),
});

export type ParsedFeature = { kind: 'cell'; input: CellInput } | { kind: 'post'; input: PostInput } | { kind: 'route'; input: RouteInput };

const issueText = (e: z.ZodError) => e.issues.slice(0, 3).map((i) => `${i.path.length ? i.path.join('.') : 'feature'}: ${i.message}`).join('; ');

/** One imported feature as a save of its kind, or why not (the shape only; the hub checks the rest). */
export function parseGridFeature(raw: unknown): { ok: true; feature: ParsedFeature } | { ok: false; issue: GridIssue; error: string } {
  const bad = (i: GridIssue) => ({ ok: false as const, issue: i, error: gridIssueInEnglish(i) });
  const f = Feature.safeParse(raw);
  if (!f.success) return bad(issue('feature_shape', { detail: issueText(f.error) }));
  const { properties: p, geometry: g } = f.data;
  const want = { cell: 'Polygon', post: 'Point', route: 'LineString' }[p.kind];
  if (g.type !== want) return bad(issue('wrong_geometry', { kind: p.kind, want, got: g.type }));
  const parsed = p.kind === 'cell'
    ? CellInput.safeParse({ id: p.id, name: p.name, parentId: p.parentId ?? null, polygon: { type: 'Polygon', coordinates: (g.coordinates as LngLat[][]).map(closeRing) } })
    : p.kind === 'post'
      ? PostInput.safeParse({ id: p.id, name: p.name, cellId: p.cellId ?? p.parentId, center: g.coordinates, radiusM: p.radiusM ?? 50 })
      : RouteInput.safeParse({ id: p.id, name: p.name, line: g.coordinates, modes: p.modes ?? ['daily'] });
  if (!parsed.success) return bad(issue('feature_shape', { detail: issueText(parsed.error) }));
  return { ok: true, feature: { kind: p.kind, input: parsed.data } as ParsedFeature };
}

/** What an imported feature says it is, for naming it in a refusal (nothing when it does not say). */
export function featureLabel(raw: unknown, n: number): { n: number; kind?: string; name?: string } {
  const props = (raw as { properties?: { kind?: unknown; name?: unknown } } | null)?.properties;
  const kind = props?.kind === 'cell' || props?.kind === 'post' || props?.kind === 'route' ? props.kind : undefined;
  const name = typeof props?.name === 'string' && props.name.trim() !== '' ? props.name.trim().slice(0, 60) : undefined;
  return { n, ...(kind ? { kind } : {}), ...(name ? { name } : {}) };
}

/** The grid as GeoJSON (what export writes and import reads back): cells, posts and routes, districts left out. */
export function gridToGeoJSON(grid: GridState): { type: 'FeatureCollection'; gridVersion: number; features: unknown[] } {
  const features: unknown[] = [];
  for (const a of grid.areas) {
    if (a.kind === 'cell' && a.polygon) {
      features.push({ type: 'Feature', properties: { kind: 'cell', id: a.id, name: a.name, parentId: a.parentId }, geometry: a.polygon });
    } else if (a.kind === 'post' && a.parentId) {
      features.push({ type: 'Feature', properties: { kind: 'post', id: a.id, name: a.name, cellId: a.parentId, radiusM: a.radiusM ?? 50 }, geometry: { type: 'Point', coordinates: a.center } });
    }
  }
  for (const r of grid.routes) {
    features.push({ type: 'Feature', properties: { kind: 'route', id: r.id, name: r.name, modes: r.modes }, geometry: { type: 'LineString', coordinates: r.line } });
  }
  return { type: 'FeatureCollection', gridVersion: grid.version, features };
}


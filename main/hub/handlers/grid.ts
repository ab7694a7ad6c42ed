// The admin's grid edits (issue 18): cells, posts and routes saved and deleted, and a GeoJSON import,
// each through the command path (admin only; audited with the before and after). Every change is
// checked here — a cell's outline (closed, not crossing itself, of a sane size, on the city's map), a
// post inside its cell, a route on the roads (snapped, grid-snap.ts) — and bumps the grid version
// (store/grid.ts), which the rules that use the grid record with their decisions.
import { randomBytes } from 'node:crypto';
import type { Area, Route } from '../../../shared/domain';
import {
  featureLabel, gridIssueInEnglish, polygonIssue, postIssue, ringCenter, parseGridFeature, type BBox, type CellInput, type GridIssue, type ParsedFeature, type PostInput, type RouteInput,
} from '../../../shared/grid';
import type { ErrorCode, Issue } from '../../../shared/protocol/commands';
import { consoleCommands } from '../../../shared/protocol/commands';
import { insertArea, listAreas, listRoutes } from '../../store/city';
import type { Db } from '../../store/db';
import {
  addGridVersion, gridIdTaken, gridVersion, livePostsOfCell, retireArea, retireRoute, saveRoute, shiftsAheadAt, unitsAssignedTo, updateArea, type GridChange,
} from '../../store/grid';
import { CommandFailure, type CommandDef, type Emitted, type HandlerOutput, type TxContext } from '../commands';
import { loadRoadGraph, ROADS_FILE, type RoadGraph } from '../dispatch/road-graph';
import { snapRoute } from '../grid-snap';
import { loadStreetIndex } from '../streets';

const C = consoleCommands;
const def = <K extends keyof typeof C, R>(name: K, handler: CommandDef<(typeof C)[K]['schema'], R>['handler']) =>
  ({ name, schema: C[name].schema, roles: C[name].roles, handler }) as CommandDef<(typeof C)[K]['schema'], R>;

/** The commands that change the grid: after each commits, the hub's in-memory copies are rebuilt (server.ts). */
export const GRID_COMMANDS: readonly string[] = ['cell:save', 'cell:delete', 'post:save', 'post:delete', 'route:save', 'route:delete', 'grid:import'];

/** How far past the road network's extent a cell or post may lie: the map the console draws on. */
const BOUNDS_MARGIN_DEG = 0.02;
const boundsOf = new WeakMap<RoadGraph, BBox | null>();

/** The city's map: the extent of its roads, with a margin; null when the hub has no roads (nothing to hold to). */
function cityBounds(graph: RoadGraph): BBox | null {
  if (boundsOf.has(graph)) return boundsOf.get(graph)!;
  let b: BBox | null = null;
  for (const net of [graph.walk, graph.drive]) {
    for (let i = 0; i < net.size; i++) {
      const [x, y] = net.at(i);
      b = b ? [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)] : [x, y, x, y];
    }
  }
  const out: BBox | null = b && [b[0] - BOUNDS_MARGIN_DEG, b[1] - BOUNDS_MARGIN_DEG, b[2] + BOUNDS_MARGIN_DEG, b[3] + BOUNDS_MARGIN_DEG];
  boundsOf.set(graph, out);
  return out;
}

export type GridEnv = { roadsFile?: URL | string };

type Place = { db: Db; now: number; graph: RoadGraph; roadsFile: URL | string };

function checkBase(db: Db, baseVersion: number): void {
  const version = gridVersion(db);
  if (baseVersion !== version) throw refusal('conflict', { code: 'grid_changed', params: { base: baseVersion, now: version } });
}

/** A refusal said both ways: the English the record keeps (after `lead`, e.g. the cell's name), and the issue a screen words. */
function refusal(code: ErrorCode, issue: GridIssue, lead = ''): CommandFailure {
  return new CommandFailure(code, `${lead}${gridIssueInEnglish(issue)}`, [issue]);
}

/** The id a save works on: the given one (a live one of this kind is edited), or a new one. */
function idFor(db: Db, kind: 'cell' | 'post' | 'route', id: string | undefined): { id: string; existing: boolean } {
  if (id === undefined) {
    let made: string;
    do made = `${kind}-${randomBytes(4).toString('hex')}`; while (gridIdTaken(db, made));
    return { id: made, existing: false };
  }
  const taken = gridIdTaken(db, id);
  if (!taken) return { id, existing: false };
  if (taken.retired) throw refusal('conflict', { code: 'id_retired', params: { id, kind: taken.kind ?? 'route' } });
  const isKind = kind === 'route' ? taken.table === 'routes' : taken.kind === kind;
  if (!isKind) throw refusal('conflict', { code: 'id_other_kind', params: { id, kind: taken.kind ?? 'route', want: kind } });
  return { id, existing: true };
}

const areaById = (db: Db, id: string): Area | undefined => listAreas(db).find((a) => a.id === id);

function saveCell({ db, graph }: Place, input: CellInput): GridChange {
  const problem = polygonIssue(input.polygon, cityBounds(graph));
  if (problem) throw refusal('invalid_payload', problem, `cell ${input.name}: `);
  if (input.parentId !== null) {
    const parent = areaById(db, input.parentId);
    if (!parent) throw refusal('not_found', { code: 'no_district', params: { id: input.parentId } });
    if (parent.kind !== 'district') throw refusal('invalid_payload', { code: 'parent_not_district', params: { name: parent.name, kind: parent.kind } });
  }
  const { id, existing } = idFor(db, 'cell', input.id);
  const before = existing ? areaById(db, id)! : null;
  const after: Area = { id, kind: 'cell', name: input.name, parentId: input.parentId, polygon: input.polygon, center: ringCenter(input.polygon.coordinates[0]!), radiusM: null };
  if (before) {
    // An outline moved must still hold every post that stands in it.
    for (const p of livePostsOfCell(db, id)) {
      const post = areaById(db, p.id)!;
      if (postIssue(post, after, null)) throw refusal('invalid_payload', { code: 'post_would_leave_cell', params: { cell: after.name, post: post.name } });
    }
    updateArea(db, after);
  } else {
    insertArea(db, after);
  }
  return { kind: 'cell', id, before, after };
}

function savePost({ db, graph }: Place, input: PostInput): GridChange {
  const cell = areaById(db, input.cellId);
  if (!cell) throw refusal('not_found', { code: 'no_cell', params: { id: input.cellId } });
  if (cell.kind !== 'cell') throw refusal('invalid_payload', { code: 'parent_not_cell', params: { name: cell.name, kind: cell.kind } });
  const problem = postIssue(input, cell, cityBounds(graph));
  if (problem) throw refusal('invalid_payload', problem);
  const { id, existing } = idFor(db, 'post', input.id);
  const before = existing ? areaById(db, id)! : null;
  const after: Area = { id, kind: 'post', name: input.name, parentId: cell.id, polygon: null, center: input.center, radiusM: input.radiusM };
  if (before) updateArea(db, after);
  else insertArea(db, after);
  return { kind: 'post', id, before, after };
}

function saveRouteInput({ db, graph, roadsFile }: Place, input: RouteInput): GridChange {
  const snapped = snapRoute(graph.drive, loadStreetIndex(roadsFile), input.line);
  if (!snapped.ok) throw refusal('invalid_payload', snapped.issue, `route ${input.name}: `);
  const { id, existing } = idFor(db, 'route', input.id);
  const before = existing ? listRoutes(db).find((r) => r.id === id)! : null;
  const after: Route = { id, name: input.name, roads: snapped.route.roads, line: snapped.route.line, modes: [...new Set(input.modes)] };
  saveRoute(db, after);
  return { kind: 'route', id, before, after };
}

function assignedRefusal(db: Db, kind: 'cell' | 'post' | 'route', name: string, id: string): void {
  const units = unitsAssignedTo(db, id);
  if (units.length > 0) throw refusal('conflict', { code: 'in_use', params: { kind, name, units: units.map((u) => u.name).join(', ') } });
}

/** One version for the changes, told to every console; the audit entry gets the before and after. */
function committed(ctx: TxContext, action: string, changes: GridChange[]): { version: number; events: Emitted[]; detail: Record<string, unknown> } {
  const version = addGridVersion(ctx.db, ctx.actor.id, action, changes, ctx.now);
  const saved = changes.filter((c) => c.after);
  const retired = changes.filter((c) => !c.after);
  const event: Emitted = {
    unitId: null,
    data: {
      type: 'grid:changed', version,
      areas: saved.filter((c) => c.kind !== 'route').map((c) => c.after as Area),
      routes: saved.filter((c) => c.kind === 'route').map((c) => c.after as Route),
      retired: { areaIds: retired.filter((c) => c.kind !== 'route').map((c) => c.id), routeIds: retired.filter((c) => c.kind === 'route').map((c) => c.id) },
    },
  };
  const detail = changes.length === 1 ? { before: changes[0]!.before, after: changes[0]!.after, gridVersion: version } : { changes, gridVersion: version };
  return { version, events: [event], detail };
}

export const gridHandlers = (env: GridEnv) => {
  const roadsFile = env.roadsFile ?? ROADS_FILE;
  const place = (ctx: TxContext): Place => ({ db: ctx.db, now: ctx.now, graph: loadRoadGraph(roadsFile), roadsFile });
  const one = (ctx: TxContext, action: string, change: GridChange): { version: number } & Omit<HandlerOutput<unknown>, 'result'> => {
    const { version, events, detail } = committed(ctx, action, [change]);
    return { version, target: change.id, events, detail };
  };
  return {
    'cell:save': def('cell:save', (ctx, p) => {
      checkBase(ctx.db, p.baseVersion);
      const change = saveCell(place(ctx), p.cell);
      const { version, ...out } = one(ctx, 'cell:save', change);
      return { result: { area: change.after as Area, gridVersion: version }, ...out };
    }),
    'post:save': def('post:save', (ctx, p) => {
      checkBase(ctx.db, p.baseVersion);
      const change = savePost(place(ctx), p.post);
      const { version, ...out } = one(ctx, 'post:save', change);
      return { result: { area: change.after as Area, gridVersion: version }, ...out };
    }),
    'route:save': def('route:save', (ctx, p) => {
      checkBase(ctx.db, p.baseVersion);
      const change = saveRouteInput(place(ctx), p.route);
      const { version, ...out } = one(ctx, 'route:save', change);
      return { result: { route: change.after as Route, gridVersion: version }, ...out };
    }),
    'cell:delete': def('cell:delete', (ctx, p) => {
      const { db, now } = ctx;
      checkBase(db, p.baseVersion);
      const cell = areaById(db, p.cellId);
      if (!cell || cell.kind !== 'cell') throw new CommandFailure('not_found', `no cell ${p.cellId}`);
      const posts = livePostsOfCell(db, cell.id);
      if (posts.length > 0) throw refusal('conflict', { code: 'cell_holds_posts', params: { cell: cell.name, posts: posts.map((x) => x.name).join(', ') } });
      assignedRefusal(db, 'cell', cell.name, cell.id);
      retireArea(db, cell.id, now);
      const { version, ...out } = one(ctx, 'cell:delete', { kind: 'cell', id: cell.id, before: cell, after: null });
      return { result: { id: cell.id, gridVersion: version }, ...out };
    }),
    'post:delete': def('post:delete', (ctx, p) => {
      const { db, now } = ctx;
      checkBase(db, p.baseVersion);
      const post = areaById(db, p.postId);
      if (!post || post.kind !== 'post') throw new CommandFailure('not_found', `no post ${p.postId}`);
      assignedRefusal(db, 'post', post.name, post.id);
      const shifts = shiftsAheadAt(db, post.id, now);
      if (shifts > 0) throw refusal('conflict', { code: 'post_shifts_ahead', params: { post: post.name, count: shifts } });
      retireArea(db, post.id, now);
      const { version, ...out } = one(ctx, 'post:delete', { kind: 'post', id: post.id, before: post, after: null });
      return { result: { id: post.id, gridVersion: version }, ...out };
    }),
    'route:delete': def('route:delete', (ctx, p) => {
      const { db, now } = ctx;
      checkBase(db, p.baseVersion);
      const route = listRoutes(db).find((r) => r.id === p.routeId);
      if (!route) throw new CommandFailure('not_found', `no route ${p.routeId}`);
      assignedRefusal(db, 'route', route.name, route.id);
      retireRoute(db, route.id, now);
      const { version, ...out } = one(ctx, 'route:delete', { kind: 'route', id: route.id, before: route, after: null });
      return { result: { id: route.id, gridVersion: version }, ...out };
    }),
    'grid:import': def('grid:import', (ctx, p) => {
      checkBase(ctx.db, p.baseVersion);
      const at = place(ctx);
      // Each refused feature: its number, its line in the record's English, and its issue for a screen.
      const refused: Array<{ n: number; line: string; issue: Issue }> = [];
      const parsed: Array<{ n: number; feature: ParsedFeature }> = [];
      const ids = new Set<string>();
      p.collection.features.forEach((raw, i) => {
        const n = i + 1;
        const r = parseGridFeature(raw);
        if (!r.ok) return void refused.push({ n, line: `feature ${n}: ${r.error}`, issue: { ...r.issue, feature: featureLabel(raw, n) } });
        const id = r.feature.input.id;
        if (id !== undefined && ids.has(id)) {
          const dup: GridIssue = { code: 'duplicate_id', params: { id } };
          return void refused.push({ n, line: `feature ${n}: ${gridIssueInEnglish(dup)}`, issue: { ...dup, feature: featureLabel(raw, n) } });
        }
        if (id !== undefined) ids.add(id);
        parsed.push({ n, feature: r.feature });
      });
      // Cells first, so that a post may stand in a cell of the same file.
      const order = { cell: 0, post: 1, route: 2 } as const;
      parsed.sort((a, b) => order[a.feature.kind] - order[b.feature.kind] || a.n - b.n);
      const changes: GridChange[] = [];
      for (const { n, feature: f } of parsed) {
        try {
          changes.push(f.kind === 'cell' ? saveCell(at, f.input) : f.kind === 'post' ? savePost(at, f.input) : saveRouteInput(at, f.input));
        } catch (e) {
          if (!(e instanceof CommandFailure)) throw e;
          const feature = { n, kind: f.kind, name: f.input.name };
          refused.push({ n, line: `feature ${n} (${f.kind} ${f.input.name}): ${e.message}`, issue: { ...(e.issues?.[0] ?? { code: 'feature_shape', params: { detail: e.message } }), feature } });
        }
      }
      if (refused.length > 0) {
        refused.sort((a, b) => a.n - b.n);
        const listed = refused.slice(0, 50).map((r) => r.line).join('\n');
        throw new CommandFailure('invalid_payload', `${refused.length} feature(s) refused, nothing imported:\n${listed}${refused.length > 50 ? `\n… and ${refused.length - 50} more` : ''}`,
          refused.map((r) => r.issue));
      }
      const { version, events, detail } = committed(ctx, 'grid:import', changes);
      const count = (k: GridChange['kind']) => changes.filter((c) => c.kind === k).length;
      return {
        result: { gridVersion: version, cells: count('cell'), posts: count('post'), routes: count('route') },
        target: 'grid', events, detail,
      };
    }),
  };
};

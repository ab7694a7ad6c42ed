// The field units: foot officers holding posts (each with a body-worn recorder) and patrol vehicles
// driving routes (each with a vehicle camera).
import type { Area, Camera, Route, Unit } from '../../../shared/domain';
import { DISTRICTS, cellIndexOf, districtOf } from './grid';
import { personName } from './names';
import type { Rng } from './rng';

const SQUAD_NUMERALS = ['一', '二', '三'];

interface Crew {
  officers: Unit[];
  vehicles: Unit[];
  cameras: Camera[];
}

const testsrc = (id: string) => [{ kind: 'testsrc' as const, url: `testsrc:${id}` }];
const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** Every post gets one officer; the rest go to the posts of the busiest cells (more posts there). */
export function staffPosts(posts: Area[], officerCount: number, rng: Rng): Area[] {
  if (posts.length > officerCount) throw new Error(`${posts.length} posts but only ${officerCount} officers`);
  const extra = Array.from({ length: officerCount - posts.length }, () => rng.pick(posts));
  const order = new Map(posts.map((p, i) => [p.id, i]));
  return [...posts, ...extra].sort((a, b) => order.get(a.id)! - order.get(b.id)!);
}

export function makeCrew(cells: Area[], postsStaffed: Area[], routes: Route[], rng: Rng): Crew {
  const taken = new Set<string>();
  const cameras: Camera[] = [];
  const squadOf = squadsByCell(cells);
  const badgeNumbers = new Map(DISTRICTS.map((d) => [d.id, rng.shuffle(Array.from({ length: 9800 }, (_, i) => i + 100))]));

  const officers = postsStaffed.map((post, i): Unit => {
    const id = `off-${pad(i + 1, 3)}`;
    const cell = cells.find((c) => c.id === post.parentId)!;
    const district = DISTRICTS.find((d) => d.id === cell.parentId)!;
    const name = personName(rng, taken);
    const badge = `NJ${district.code}-${pad(badgeNumbers.get(district.id)!.pop()!, 4)}`;
    const cameraId = `cam-${id}`;
    cameras.push({ id: cameraId, kind: 'body', name: `执法记录仪 ${name}（${badge}）`, position: null, facing: null, unitId: id, sources: testsrc(cameraId), key: false });
    return { id, kind: 'officer', name, badge, plate: null, squad: squadOf.get(cell.id)!, cellId: cell.id, postId: post.id, routeId: null, cameraId, status: rng.chance(0.6) ? 'on_post' : 'patrolling' };
  });

  const plates = rng.shuffle(Array.from({ length: 9000 }, (_, i) => i + 1000));
  const vehicles = routes.map((route, i): Unit => {
    const id = `veh-${pad(i + 1, 2)}`;
    const plate = `苏A·C${plates[i]}`;
    const start = cellIndexOf(route.line[0]!);
    const district = start ? districtOf(start.row, start.col) : DISTRICTS[0]!;
    const cameraId = `cam-${id}`;
    cameras.push({ id: cameraId, kind: 'vehicle', name: `车载 ${plate}`, position: null, facing: null, unitId: id, sources: testsrc(cameraId), key: false });
    return { id, kind: 'vehicle', name: `巡查车${pad(i + 1, 2)}`, badge: null, plate, squad: `${district.short}机动中队`, cellId: null, postId: null, routeId: route.id, cameraId, status: 'patrolling' };
  });
  return { officers, vehicles, cameras };
}

/** Each district's cells split, in grid order, into three squads (中队) of neighbouring cells. */
function squadsByCell(cells: Area[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const d of DISTRICTS) {
    const mine = cells.filter((c) => c.parentId === d.id);
    mine.forEach((c, i) => out.set(c.id, `${d.short}${SQUAD_NUMERALS[Math.floor((i * SQUAD_NUMERALS.length) / mine.length)]}中队`));
  }
  return out;
}

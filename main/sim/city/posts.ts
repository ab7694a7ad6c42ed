// Which grid cells have streets (the rest of the grid is lake, wall or park and gets no cell), and
// the fixed duty posts (岗) in them: points on real streets, named after the street.
import type { Area } from '../../../shared/domain';
import { distanceM } from '../../../shared/geo';
import { cellIndexOf, allCells, type GridCell } from './grid';
import { roundPoint } from './bbox';
import { pickWeighted, type Rng } from './rng';
import type { RoadPoint } from './roads';

/** A cell needs this much walkable named street to be worth an officer. */
const MIN_STREET_M = 500;
/** Posts keep away from the cell edge so GPS noise does not put the holder in the next cell. */
const EDGE_MARGIN_M = 30;
const MIN_POST_SPACING_M = 150;

export interface ActiveCell {
  cell: GridCell;
  streetM: number;
}

export function activeCells(segments: { mid: [number, number]; lengthM: number }[]): ActiveCell[] {
  const streetM = new Map<string, number>();
  for (const s of segments) {
    const idx = cellIndexOf(s.mid);
    if (!idx) continue;
    const k = `${idx.row},${idx.col}`;
    streetM.set(k, (streetM.get(k) ?? 0) + s.lengthM);
  }
  return allCells()
    .map((cell) => ({ cell, streetM: streetM.get(`${cell.row},${cell.col}`) ?? 0 }))
    .filter((c) => c.streetM >= MIN_STREET_M);
}

/** Busy cells (more street) get more posts. */
function postsWanted(streetM: number): number {
  return streetM < 2000 ? 1 : streetM < 2500 ? 2 : 3;
}

export function placePosts(cells: ActiveCell[], points: RoadPoint[], rng: Rng): Area[] {
  const byCell = new Map<string, RoadPoint[]>();
  for (const p of points) {
    const idx = cellIndexOf(p.at);
    if (!idx) continue;
    const k = `${idx.row},${idx.col}`;
    const list = byCell.get(k);
    if (list) list.push(p);
    else byCell.set(k, [p]);
  }
  const perRoad = new Map<string, number>();
  const posts: Area[] = [];
  for (const { cell, streetM } of cells) {
    const [w, s, e, n] = cell.bbox;
    const inner = (byCell.get(`${cell.row},${cell.col}`) ?? []).filter(
      (p) => Math.min(distanceM(p.at, [w, p.at[1]]), distanceM(p.at, [e, p.at[1]]), distanceM(p.at, [p.at[0], s]), distanceM(p.at, [p.at[0], n])) >= EDGE_MARGIN_M,
    );
    const chosen: RoadPoint[] = [];
    for (let k = 0; k < postsWanted(streetM); k++) {
      const free = inner.filter((p) => chosen.every((c) => distanceM(c.at, p.at) >= MIN_POST_SPACING_M));
      if (free.length === 0) break;
      // Posts stand mostly on main streets, where the street vendors and the crowds are.
      chosen.push(pickWeighted(free, (p) => p.rank * p.rank, rng));
    }
    chosen.forEach((p, i) => {
      const nth = (perRoad.get(p.name) ?? 0) + 1;
      perRoad.set(p.name, nth);
      posts.push({
        id: `${cell.id.replace('cell-', 'post-')}-${i + 1}`,
        kind: 'post',
        name: `${p.name}岗-${nth}`,
        parentId: cell.id,
        polygon: null,
        center: roundPoint(p.at),
        radiusM: rng.int(30, 50),
      });
    });
  }
  return posts;
}

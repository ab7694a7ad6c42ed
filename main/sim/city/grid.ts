// The electronic grid (电子网格): square responsibility cells of about 400 m — the size real
// city-management grids use — laid over the old city centre, grouped into four demo districts.
import type { Area, LngLat, Polygon } from '../../../shared/domain';
import { round6, type BBox } from './bbox';

const M_PER_DEG_LAT = 111_195;

/** South-west corner and size, chosen to cover the part of the OSM extract that has streets. */
const GRID = { west: 118.736, south: 32.0076, cellM: 400, cols: 15, rows: 13 } as const;

const dLat = GRID.cellM / M_PER_DEG_LAT;
const dLng = GRID.cellM / (M_PER_DEG_LAT * Math.cos(((GRID.south + (GRID.rows * dLat) / 2) * Math.PI) / 180));

/** Grid lines, rounded once so neighbouring cells share exactly the same edge. */
const LNGS = Array.from({ length: GRID.cols + 1 }, (_, c) => round6(GRID.west + c * dLng));
/** From north to south: row 1 is the northernmost, as on a paper map. */
const LATS = Array.from({ length: GRID.rows + 1 }, (_, r) => round6(GRID.south + (GRID.rows - r) * dLat));

export const MAP_BBOX: BBox = [LNGS[0]!, LATS[GRID.rows]!, LNGS[GRID.cols]!, LATS[0]!];

export interface District {
  id: string;
  name: string;
  /** used in cell names: 新街口-03-07 */
  short: string;
  /** administrative division code used in badge numbers (demo: borrowed from the real districts nearby) */
  code: string;
  /** grid rows/cols covered, 0-based, end exclusive */
  rows: [number, number];
  cols: [number, number];
}

/** Four demo districts named after a landmark inside each: not the real administrative districts. */
const SPLIT_ROW = 6;
const SPLIT_COL = 8;
export const DISTRICTS: District[] = [
  { id: 'dist-hanzhongmen', name: '汉中门片区', short: '汉中门', code: '320106', rows: [0, SPLIT_ROW], cols: [0, SPLIT_COL] },
  { id: 'dist-xinjiekou', name: '新街口片区', short: '新街口', code: '320102', rows: [0, SPLIT_ROW], cols: [SPLIT_COL, GRID.cols] },
  { id: 'dist-shuiximen', name: '水西门片区', short: '水西门', code: '320105', rows: [SPLIT_ROW, GRID.rows], cols: [0, SPLIT_COL] },
  { id: 'dist-fuzimiao', name: '夫子庙片区', short: '夫子庙', code: '320104', rows: [SPLIT_ROW, GRID.rows], cols: [SPLIT_COL, GRID.cols] },
];

export interface GridCell {
  row: number;
  col: number;
  id: string;
  district: District;
  bbox: BBox;
}

function rect(row0: number, row1: number, col0: number, col1: number): { polygon: Polygon; bbox: BBox } {
  const [w, e, n, s] = [LNGS[col0]!, LNGS[col1]!, LATS[row0]!, LATS[row1]!];
  return { polygon: { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] }, bbox: [w, s, e, n] };
}

const pad2 = (n: number) => String(n).padStart(2, '0');

export function districtOf(row: number, col: number): District {
  const d = DISTRICTS.find((x) => row >= x.rows[0] && row < x.rows[1] && col >= x.cols[0] && col < x.cols[1]);
  if (!d) throw new Error(`cell ${row},${col} is in no district`);
  return d;
}

export function allCells(): GridCell[] {
  const cells: GridCell[] = [];
  for (let row = 0; row < GRID.rows; row++) {
    for (let col = 0; col < GRID.cols; col++) {
      cells.push({ row, col, id: `cell-${pad2(row + 1)}-${pad2(col + 1)}`, district: districtOf(row, col), bbox: rect(row, row + 1, col, col + 1).bbox });
    }
  }
  return cells;
}

/** The cell a point falls in, or null outside the grid (searched on the rounded lines, so it agrees
 * exactly with the cell polygons). */
export function cellIndexOf([lng, lat]: LngLat): { row: number; col: number } | null {
  const col = LNGS.findIndex((x, i) => i < GRID.cols && lng >= x && lng < LNGS[i + 1]!);
  const row = LATS.findIndex((y, i) => i < GRID.rows && lat <= y && lat > LATS[i + 1]!);
  return row >= 0 && col >= 0 ? { row, col } : null;
}

const center = (b: BBox): LngLat => [round6((b[0] + b[2]) / 2), round6((b[1] + b[3]) / 2)];

export function districtArea(d: District): Area {
  const { polygon, bbox } = rect(d.rows[0], d.rows[1], d.cols[0], d.cols[1]);
  return { id: d.id, kind: 'district', name: d.name, parentId: null, polygon, center: center(bbox), radiusM: null };
}

export function cellArea(c: GridCell): Area {
  const { polygon, bbox } = rect(c.row, c.row + 1, c.col, c.col + 1);
  return { id: c.id, kind: 'cell', name: `${c.district.short}-${pad2(c.row + 1)}-${pad2(c.col + 1)}`, parentId: c.district.id, polygon, center: center(bbox), radiusM: null };
}

// Wall layouts: plain grids and focus layouts (one large tile plus small ones around it).
export const WALL_LAYOUTS = ['1', '4', '9', '16', '1+5', '1+7'] as const;
export type WallLayout = (typeof WALL_LAYOUTS)[number];

/** The most tiles any layout shows; a wall keeps this many slots so switching layouts loses nothing. */
export const MAX_TILES = 16;

type Cell = { col: number; row: number; span: number };
export type LayoutGeometry = { columns: number; cells: Cell[] };

function grid(n: number): LayoutGeometry {
  const cells: Cell[] = [];
  for (let i = 0; i < n * n; i++) cells.push({ col: (i % n) + 1, row: Math.floor(i / n) + 1, span: 1 });
  return { columns: n, cells };
}

/** A big tile of (n-1)×(n-1) at top left, small tiles down the right column and along the bottom row. */
function focus(n: number): LayoutGeometry {
  const cells: Cell[] = [{ col: 1, row: 1, span: n - 1 }];
  for (let row = 1; row < n; row++) cells.push({ col: n, row, span: 1 });
  for (let col = 1; col <= n; col++) cells.push({ col, row: n, span: 1 });
  return { columns: n, cells };
}

export function layoutGeometry(layout: WallLayout): LayoutGeometry {
  switch (layout) {
    case '1': return grid(1);
    case '4': return grid(2);
    case '9': return grid(3);
    case '16': return grid(4);
    case '1+5': return focus(3);
    case '1+7': return focus(4);
  }
}

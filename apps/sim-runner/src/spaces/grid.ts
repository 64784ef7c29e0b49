import { AGENT_SPACES, type Agent, type AgentSpace, type GridPos } from '../agent.js';
import type { Rng } from '../rng.js';

export interface GridOptions {
  width: number;
  height: number;
  /** Wrap around the edges (a torus). Default false. */
  torus?: boolean;
}

export interface NeighborhoodOptions {
  /** Moore (8 around, Chebyshev distance) when true, von Neumann (4 around, Manhattan distance) when false. Default true. */
  moore?: boolean;
  /** Include the centre cell. Default false. */
  includeCenter?: boolean;
  /** Default 1. */
  radius?: number;
}

const MAX_CACHED_RADIUS = 63;
const VON_NEUMANN: readonly (readonly [number, number])[] = [
  [-1, 0],
  [0, -1],
  [0, 1],
  [1, 0],
];
const VON_NEUMANN_CENTER: readonly (readonly [number, number])[] = [
  [-1, 0],
  [0, -1],
  [0, 0],
  [0, 1],
  [1, 0],
];

/**
 * A rectangular grid of cells (Mesa's `mesa.space` grids, with its method names in camelCase).
 *
 * Positions are `[x, y]` with `0 <= x < width`, `0 <= y < height`. Neighbourhoods follow Mesa exactly
 * (same cells, same order: dx from -r to r, then dy from -r to r; duplicates on a small torus dropped) and
 * are cached per (cell, kind, radius). `placeAgent` sets `agent.pos`; `agent.remove()` also leaves the grid.
 */
export abstract class Grid<A extends Agent = Agent> {
  readonly width: number;
  readonly height: number;
  readonly torus: boolean;
  /** Cached neighbourhoods: one array (indexed by cell) per (radius, kind, centre) combination. */
  private readonly _neighborhoodCache = new Map<number, (readonly GridPos[] | undefined)[]>();

  constructor(options: GridOptions) {
    const { width, height, torus = false } = options;
    if (!Number.isInteger(width) || width < 1 || !Number.isInteger(height) || height < 1) {
      throw new RangeError(`grid width and height must be positive integers, got ${width}x${height}`);
    }
    this.width = width;
    this.height = height;
    this.torus = torus;
  }

  /** True when `pos` lies outside the grid (ignoring the torus). */
  outOfBounds(pos: GridPos): boolean {
    const x = pos[0];
    const y = pos[1];
    return x < 0 || x >= this.width || y < 0 || y >= this.height;
  }

  /** Wraps `pos` on a torus; throws if it is outside a non-torus grid. */
  torusAdj(pos: GridPos): GridPos {
    if (!this.outOfBounds(pos)) return pos;
    if (!this.torus)
      throw new RangeError(
        `position (${pos[0]}, ${pos[1]}) is outside the ${this.width}x${this.height} grid`,
      );
    return [mod(pos[0], this.width), mod(pos[1], this.height)];
  }

  /** The cells around `pos` (see NeighborhoodOptions). */
  getNeighborhood(pos: GridPos, options: NeighborhoodOptions = {}): readonly GridPos[] {
    const { moore = true, includeCenter = false, radius = 1 } = options;
    const index = this._cellIndex(pos);
    // Radius 1 is computed each time: nine small allocations cost less than the cache misses of a
    // per-cell cache on a large grid. Larger radii (cost growing as r^2) are cached per cell, as in Mesa.
    const cacheable = radius > 1 && Number.isInteger(radius) && radius <= MAX_CACHED_RADIUS;
    let byCell: (readonly GridPos[] | undefined)[] | undefined;
    if (cacheable) {
      const kind = (radius * 2 + (moore ? 1 : 0)) * 2 + (includeCenter ? 1 : 0);
      byCell = this._neighborhoodCache.get(kind);
      if (!byCell)
        this._neighborhoodCache.set(kind, (byCell = filledArray(this.width * this.height, undefined)));
      const hit = byCell[index];
      if (hit) return hit;
    }
    const x = Math.floor(index / this.height);
    const y = index % this.height;
    // Duplicates only arise on a torus smaller than the neighbourhood.
    const seen =
      this.torus && (this.width <= 2 * radius || this.height <= 2 * radius) ? new Set<number>() : null;
    const cells: GridPos[] = [];
    for (let dx = -radius; dx <= radius; dx++) {
      for (let dy = -radius; dy <= radius; dy++) {
        if (!moore && Math.abs(dx) + Math.abs(dy) > radius) continue;
        let nx = x + dx;
        let ny = y + dy;
        if (this.torus) {
          if (nx < 0 || nx >= this.width) nx = mod(nx, this.width);
          if (ny < 0 || ny >= this.height) ny = mod(ny, this.height);
        } else if (nx < 0 || nx >= this.width || ny < 0 || ny >= this.height) continue;
        if (!includeCenter && nx === x && ny === y) continue;
        if (seen) {
          const cellIndex = nx * this.height + ny;
          if (seen.has(cellIndex)) continue;
          seen.add(cellIndex);
        }
        cells.push([nx, ny]);
      }
    }
    if (byCell) byCell[index] = cells;
    return cells;
  }

  /**
   * One cell of the neighbourhood of `from` (a cell, or an agent on this grid: its cell) drawn uniformly
   * with `rng`: always the same cell and the same draws as `rng.choice(grid.getNeighborhood(pos, options))`, but radius 1 on a torus of at least 3 x 3 computes it
   * arithmetically, without building the list (the hot path of agents that move every step).
   */
  randomNeighborhoodCell(from: GridPos | A, rng: Rng, options: NeighborhoodOptions = {}): GridPos {
    const { moore = true, includeCenter = false, radius = 1 } = options;
    const pos = Array.isArray(from) ? (from as GridPos) : null;
    if (radius !== 1 || !this.torus || this.width < 3 || this.height < 3) {
      return rng.choice(this.getNeighborhood(pos ?? this._posOf(from as A), options));
    }
    let x: number;
    let y: number;
    if (pos) {
      x = pos[0];
      y = pos[1];
      if (x < 0 || x >= this.width || y < 0 || y >= this.height) [x, y] = this.torusAdj(pos);
    } else {
      // An agent: its cell index, without reading its position tuple (one memory access less per move).
      const index = (from as A).cellIndex;
      if (index < 0) throw new RangeError(`${String(from)} is not on this grid`);
      x = (index / this.height) | 0;
      y = index - x * this.height;
    }
    let dx: number;
    let dy: number;
    if (moore) {
      // getNeighborhood's order: dx = -1..1, then dy = -1..1, the centre (k = 4) skipped unless included.
      let k = rng.int(includeCenter ? 9 : 8);
      if (!includeCenter && k >= 4) k++;
      dx = ((k / 3) | 0) - 1;
      dy = (k % 3) - 1;
    } else {
      // Von Neumann: (-1,0), (0,-1), [(0,0)], (0,1), (1,0).
      const k = rng.int(includeCenter ? 5 : 4);
      const cells = includeCenter ? VON_NEUMANN_CENTER : VON_NEUMANN;
      dx = cells[k]![0];
      dy = cells[k]![1];
    }
    let nx = x + dx;
    let ny = y + dy;
    if (nx < 0) nx += this.width;
    else if (nx >= this.width) nx -= this.width;
    if (ny < 0) ny += this.height;
    else if (ny >= this.height) ny -= this.height;
    return [nx, ny];
  }

  /** The agents in the neighbourhood of `pos`. */
  getNeighbors(pos: GridPos, options: NeighborhoodOptions = {}): A[] {
    return this.getCellListContents(this.getNeighborhood(pos, options));
  }

  /** The agents in the given cells, cell by cell. */
  getCellListContents(cells: Iterable<GridPos>): A[] {
    const out: A[] = [];
    for (const cell of cells) for (const agent of this.cellContents(cell)) out.push(agent);
    return out;
  }

  /** Every cell with its contents, column by column (Mesa's `coord_iter`). */
  *coordIter(): Generator<[readonly A[], GridPos]> {
    for (let x = 0; x < this.width; x++)
      for (let y = 0; y < this.height; y++) yield [this.cellContents([x, y]), [x, y]];
  }

  /** The empty cells, column by column. */
  empties(): GridPos[] {
    const out: GridPos[] = [];
    for (let x = 0; x < this.width; x++)
      for (let y = 0; y < this.height; y++) if (this.isCellEmpty([x, y])) out.push([x, y]);
    return out;
  }

  existsEmptyCells(): boolean {
    for (let x = 0; x < this.width; x++)
      for (let y = 0; y < this.height; y++) if (this.isCellEmpty([x, y])) return true;
    return false;
  }

  /** Moves `agent` (already on the grid) to `pos`. */
  moveAgent(agent: A, pos: GridPos): void {
    const target = this.torusAdj(pos);
    this._removeFromCell(agent);
    this._addToCell(agent, target);
    agent.pos = target;
  }

  /** Moves `agent` to a random empty cell (chosen with `rng`, the model's generator). */
  moveToEmpty(agent: A, rng: Rng): void {
    const empties = this.empties();
    if (empties.length === 0) throw new RangeError('moveToEmpty: the grid has no empty cell');
    this.moveAgent(agent, rng.choice(empties));
  }

  /** Puts `agent` on the grid at `pos` and sets `agent.pos`. */
  placeAgent(agent: A, pos: GridPos): void {
    const target = this.torusAdj(pos);
    this._addToCell(agent, target);
    agent.pos = target;
    AGENT_SPACES.set(agent, this as unknown as AgentSpace);
  }

  /** Takes `agent` off the grid (its `pos` becomes null). */
  removeAgent(agent: A): void {
    this._removeFromCell(agent);
    agent.pos = null;
    agent.cellIndex = -1;
    AGENT_SPACES.delete(agent);
  }

  abstract cellContents(pos: GridPos): readonly A[];
  /** The agents in the cell of `agent` (itself included): `cellContents(agent.pos)` without reading the position. */
  abstract cellContentsOf(agent: A): readonly A[];
  abstract isCellEmpty(pos: GridPos): boolean;
  protected abstract _addToCell(agent: A, pos: GridPos): void;
  protected abstract _removeFromCell(agent: A): void;

  protected _index(pos: GridPos): number {
    return pos[0] * this.height + pos[1];
  }

  /** The cell index of `pos`, wrapped on a torus; throws outside a non-torus grid. */
  protected _cellIndex(pos: GridPos): number {
    const x = pos[0];
    const y = pos[1];
    if (x >= 0 && x < this.width && y >= 0 && y < this.height) return x * this.height + y;
    const [wx, wy] = this.torusAdj(pos);
    return wx * this.height + wy;
  }

  protected _posOf(agent: A): GridPos {
    const pos = agent.pos;
    if (!Array.isArray(pos)) throw new RangeError(`${String(agent)} is not on this grid`);
    return pos as unknown as GridPos;
  }
}

/** A grid where each cell holds any number of agents (Mesa's `MultiGrid`). */
export class MultiGrid<A extends Agent = Agent> extends Grid<A> {
  private readonly _cells: (A[] | undefined)[];

  constructor(options: GridOptions) {
    super(options);
    this._cells = filledArray<A[] | undefined>(this.width * this.height, undefined);
  }

  cellContents(pos: GridPos): readonly A[] {
    return this._cells[this._cellIndex(pos)] ?? EMPTY;
  }

  cellContentsOf(agent: A): readonly A[] {
    if (agent.cellIndex < 0) throw new RangeError(`${String(agent)} is not on this grid`);
    return this._cells[agent.cellIndex] ?? EMPTY;
  }

  isCellEmpty(pos: GridPos): boolean {
    return this.cellContents(pos).length === 0;
  }

  protected _addToCell(agent: A, pos: GridPos): void {
    const index = this._index(pos);
    const cell = this._cells[index];
    if (cell) cell.push(agent);
    else this._cells[index] = [agent];
    agent.cellIndex = index;
  }

  protected _removeFromCell(agent: A): void {
    const cell = agent.cellIndex >= 0 ? this._cells[agent.cellIndex] : undefined;
    const at = cell ? cell.indexOf(agent) : -1;
    if (at < 0) throw new RangeError(`${String(agent)} is not on this grid`);
    cell!.splice(at, 1);
  }
}

/** A grid where each cell holds at most one agent (Mesa's `SingleGrid`). */
export class SingleGrid<A extends Agent = Agent> extends Grid<A> {
  private readonly _cells: (A | null)[];

  constructor(options: GridOptions) {
    super(options);
    this._cells = filledArray<A | null>(this.width * this.height, null);
  }

  cellContents(pos: GridPos): readonly A[] {
    const agent = this._cells[this._cellIndex(pos)];
    return agent ? [agent] : EMPTY;
  }

  isCellEmpty(pos: GridPos): boolean {
    return this._cells[this._cellIndex(pos)] === null;
  }

  cellContentsOf(agent: A): readonly A[] {
    if (agent.cellIndex < 0 || this._cells[agent.cellIndex] !== agent) {
      throw new RangeError(`${String(agent)} is not on this grid`);
    }
    return [agent];
  }

  /** Swaps the positions of two agents. */
  swapPos(a: A, b: A): void {
    const pa = this._posOf(a);
    const pb = this._posOf(b);
    this._cells[this._index(pa)] = b;
    this._cells[this._index(pb)] = a;
    a.pos = pb;
    b.pos = pa;
    const ia = a.cellIndex;
    a.cellIndex = b.cellIndex;
    b.cellIndex = ia;
  }

  protected _addToCell(agent: A, pos: GridPos): void {
    const index = this._index(pos);
    if (this._cells[index] !== null) {
      throw new RangeError(`cell (${pos[0]}, ${pos[1]}) is not empty (SingleGrid holds one agent per cell)`);
    }
    this._cells[index] = agent;
    agent.cellIndex = index;
  }

  protected _removeFromCell(agent: A): void {
    const index = this._index(this._posOf(agent));
    if (this._cells[index] !== agent) throw new RangeError(`${String(agent)} is not on this grid`);
    this._cells[index] = null;
  }
}

const EMPTY: readonly never[] = Object.freeze([]);

/** A packed array (new Array(n) of a large n is a slow dictionary-mode array in V8). */
function filledArray<T>(length: number, value: T): T[] {
  const out: T[] = [];
  for (let i = 0; i < length; i++) out.push(value);
  return out;
}

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

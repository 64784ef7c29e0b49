import type { Agent, GridPos } from '../agent.js';
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
  private readonly _neighborhoodCache = new Map<number, readonly GridPos[]>();

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
    const [x, y] = pos;
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
    const [x, y] = this.torusAdj(pos);
    const cacheable = Number.isInteger(radius) && radius >= 0 && radius <= MAX_CACHED_RADIUS;
    const key =
      (((x * this.height + y) * (MAX_CACHED_RADIUS + 1) + radius) * 2 + (moore ? 1 : 0)) * 2 +
      (includeCenter ? 1 : 0);
    if (cacheable) {
      const hit = this._neighborhoodCache.get(key);
      if (hit) return hit;
    }
    const seen = new Set<number>();
    const cells: GridPos[] = [];
    for (let dx = -radius; dx <= radius; dx++) {
      for (let dy = -radius; dy <= radius; dy++) {
        if (!moore && Math.abs(dx) + Math.abs(dy) > radius) continue;
        let nx = x + dx;
        let ny = y + dy;
        if (this.torus) {
          nx = mod(nx, this.width);
          ny = mod(ny, this.height);
        } else if (nx < 0 || nx >= this.width || ny < 0 || ny >= this.height) continue;
        if (!includeCenter && nx === x && ny === y) continue;
        const index = nx * this.height + ny;
        if (seen.has(index)) continue;
        seen.add(index);
        cells.push([nx, ny]);
      }
    }
    if (cacheable) this._neighborhoodCache.set(key, cells);
    return cells;
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
    agent._space = this as unknown as { removeAgent(agent: Agent): void };
  }

  /** Takes `agent` off the grid (its `pos` becomes null). */
  removeAgent(agent: A): void {
    this._removeFromCell(agent);
    agent.pos = null;
    agent._space = null;
  }

  abstract cellContents(pos: GridPos): readonly A[];
  abstract isCellEmpty(pos: GridPos): boolean;
  protected abstract _addToCell(agent: A, pos: GridPos): void;
  protected abstract _removeFromCell(agent: A): void;

  protected _index(pos: GridPos): number {
    return pos[0] * this.height + pos[1];
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
    this._cells = new Array<A[] | undefined>(this.width * this.height);
  }

  cellContents(pos: GridPos): readonly A[] {
    return this._cells[this._index(this.torusAdj(pos))] ?? EMPTY;
  }

  isCellEmpty(pos: GridPos): boolean {
    return this.cellContents(pos).length === 0;
  }

  protected _addToCell(agent: A, pos: GridPos): void {
    const index = this._index(pos);
    const cell = this._cells[index];
    if (cell) cell.push(agent);
    else this._cells[index] = [agent];
  }

  protected _removeFromCell(agent: A): void {
    const cell = this._cells[this._index(this._posOf(agent))];
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
    this._cells = new Array<A | null>(this.width * this.height).fill(null);
  }

  cellContents(pos: GridPos): readonly A[] {
    const agent = this._cells[this._index(this.torusAdj(pos))];
    return agent ? [agent] : EMPTY;
  }

  isCellEmpty(pos: GridPos): boolean {
    return this._cells[this._index(this.torusAdj(pos))] === null;
  }

  /** Swaps the positions of two agents. */
  swapPos(a: A, b: A): void {
    const pa = this._posOf(a);
    const pb = this._posOf(b);
    this._cells[this._index(pa)] = b;
    this._cells[this._index(pb)] = a;
    a.pos = pb;
    b.pos = pa;
  }

  protected _addToCell(agent: A, pos: GridPos): void {
    const index = this._index(pos);
    if (this._cells[index] !== null) {
      throw new RangeError(`cell (${pos[0]}, ${pos[1]}) is not empty (SingleGrid holds one agent per cell)`);
    }
    this._cells[index] = agent;
  }

  protected _removeFromCell(agent: A): void {
    const index = this._index(this._posOf(agent));
    if (this._cells[index] !== agent) throw new RangeError(`${String(agent)} is not on this grid`);
    this._cells[index] = null;
  }
}

const EMPTY: readonly never[] = Object.freeze([]);

function mod(a: number, n: number): number {
  return ((a % n) + n) % n;
}

import fc from 'fast-check';
import { Agent, type GridPos } from '../../src/agent.js';
import { Model } from '../../src/model.js';
import { MultiGrid, SingleGrid } from '../../src/spaces/grid.js';
import { Rng } from '../../src/rng.js';

const sortCells = (cells: readonly GridPos[]) => cells.map(([x, y]) => `${x},${y}`).sort();

describe('grids', () => {
  it('Moore and von Neumann neighbourhoods with radius and centre', () => {
    const g = new MultiGrid({ width: 10, height: 10 });
    expect(g.getNeighborhood([5, 5])).toHaveLength(8);
    expect(g.getNeighborhood([5, 5], { includeCenter: true })).toHaveLength(9);
    expect(g.getNeighborhood([5, 5], { moore: false })).toHaveLength(4);
    expect(g.getNeighborhood([5, 5], { moore: false, radius: 2 })).toHaveLength(12);
    expect(g.getNeighborhood([5, 5], { radius: 2 })).toHaveLength(24);
    expect(sortCells(g.getNeighborhood([5, 5], { moore: false }))).toEqual(['4,5', '5,4', '5,6', '6,5']);
    // Mesa's order: dx outer, dy inner.
    expect(g.getNeighborhood([5, 5]).slice(0, 3)).toEqual([
      [4, 4],
      [4, 5],
      [4, 6],
    ]);
    // Corners: clipped without torus, wrapped with it.
    expect(g.getNeighborhood([0, 0])).toHaveLength(3);
    const t = new MultiGrid({ width: 10, height: 10, torus: true });
    expect(sortCells(t.getNeighborhood([0, 0], { moore: false }))).toEqual(['0,1', '0,9', '1,0', '9,0']);
    // A small torus drops duplicates.
    expect(
      new MultiGrid({ width: 3, height: 3, torus: true }).getNeighborhood([1, 1], { radius: 3 }),
    ).toHaveLength(8);
    // Radius >= 2 is cached per cell (the same array comes back); radius 1 is computed, equal each time.
    expect(g.getNeighborhood([5, 5], { radius: 2 })).toBe(g.getNeighborhood([5, 5], { radius: 2 }));
    expect(g.getNeighborhood([5, 5])).toEqual(g.getNeighborhood([5, 5]));
  });

  it('MultiGrid places, moves, finds neighbours and removes (also via agent.remove())', () => {
    const m = new Model({ seed: 1 });
    const g = new MultiGrid<Agent>({ width: 5, height: 5, torus: true });
    const a = new Agent(m);
    const b = new Agent(m);
    const c = new Agent(m);
    g.placeAgent(a, [1, 1]);
    g.placeAgent(b, [1, 1]);
    g.placeAgent(c, [2, 2]);
    expect(g.cellContents([1, 1])).toEqual([a, b]);
    expect(g.getNeighbors([1, 1], { includeCenter: true })).toEqual([a, b, c]);
    expect(g.getNeighbors([1, 1])).toEqual([c]);
    g.moveAgent(a, [6, 6]);
    expect(a.pos).toEqual([1, 1]);
    g.moveAgent(a, [0, 4]);
    expect(g.cellContents([1, 1])).toEqual([b]);
    expect(g.isCellEmpty([3, 3])).toBe(true);
    b.remove();
    expect(g.isCellEmpty([1, 1])).toBe(true);
    expect(b.pos).toBeNull();
    expect(g.empties()).toHaveLength(23);
    expect(() => new MultiGrid({ width: 3, height: 3 }).placeAgent(c, [3, 0])).toThrow(/outside/);
    expect(() => new MultiGrid({ width: 0, height: 3 })).toThrow(RangeError);
  });

  it('SingleGrid holds one agent per cell, swaps and moves to empty cells', () => {
    const m = new Model({ seed: 1 });
    const g = new SingleGrid<Agent>({ width: 2, height: 2 });
    const a = new Agent(m);
    const b = new Agent(m);
    g.placeAgent(a, [0, 0]);
    expect(() => g.placeAgent(b, [0, 0])).toThrow(/not empty/);
    g.placeAgent(b, [1, 1]);
    g.swapPos(a, b);
    expect(a.pos).toEqual([1, 1]);
    expect(g.cellContents([0, 0])).toEqual([b]);
    g.moveToEmpty(a, m.rng);
    expect(g.isCellEmpty([1, 1])).toBe(true);
    expect(g.existsEmptyCells()).toBe(true);
    expect([...g.coordIter()].filter(([c]) => c.length > 0)).toHaveLength(2);
  });
});

describe('randomNeighborhoodCell', () => {
  it('draws the same cell with the same draws as rng.choice(getNeighborhood(...))', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 7 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 1, max: 3 }),
        fc.nat(),
        fc.nat(),
        fc.nat(),
        (width, height, torus, moore, includeCenter, radius, px, py, seed) => {
          const grid = new MultiGrid({ width, height, torus });
          const pos: GridPos = [px % width, py % height];
          const options = { moore, includeCenter, radius };
          const cells = grid.getNeighborhood(pos, options);
          if (cells.length === 0) return;
          const a = new Rng(seed);
          const b = new Rng(seed);
          const c = new Rng(seed);
          // From a cell, and from an agent standing on it (read through its cell index).
          const agent = new Agent(new Model({ seed: 1 }));
          grid.placeAgent(agent, pos);
          for (let i = 0; i < 5; i++) {
            const expected = b.choice(cells);
            expect(grid.randomNeighborhoodCell(pos, a, options)).toEqual(expected);
            expect(grid.randomNeighborhoodCell(agent, c, options)).toEqual(expected);
          }
          expect(a.getState()).toEqual(b.getState());
          expect(c.getState()).toEqual(b.getState());
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('cell index of agents', () => {
  it('follows places, moves, swaps and removals; cellContentsOf reads it', () => {
    const m = new Model({ seed: 1 });
    const g = new MultiGrid<Agent>({ width: 4, height: 3, torus: true });
    const a = new Agent(m);
    const b = new Agent(m);
    expect(a.cellIndex).toBe(-1);
    g.placeAgent(a, [1, 2]);
    g.placeAgent(b, [1, 2]);
    expect(a.cellIndex).toBe(1 * 3 + 2);
    expect(g.cellContentsOf(a)).toEqual([a, b]);
    g.moveAgent(a, [5, -1]); // torus: (1, 2)
    g.moveAgent(b, [3, 0]);
    expect(b.cellIndex).toBe(9);
    expect(g.cellContentsOf(b)).toEqual(g.cellContents([3, 0]));
    expect(g.cellContentsOf(a)).toEqual([a]);
    a.remove();
    expect(a.cellIndex).toBe(-1);
    expect(() => g.cellContentsOf(a)).toThrow(/not on this grid/);

    const s = new SingleGrid<Agent>({ width: 3, height: 3 });
    const c = new Agent(m);
    const d = new Agent(m);
    s.placeAgent(c, [0, 0]);
    s.placeAgent(d, [2, 1]);
    s.swapPos(c, d);
    expect(c.cellIndex).toBe(7);
    expect(s.cellContentsOf(c)).toEqual([c]);
    expect(s.cellContents([0, 0])).toEqual([d]);
    expect(s.cellContentsOf(d)).toEqual([d]);
  });
});

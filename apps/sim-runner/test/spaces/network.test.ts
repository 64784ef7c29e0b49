import { Agent } from '../../src/agent.js';
import { Model } from '../../src/model.js';
import { NetworkGrid } from '../../src/spaces/network.js';

describe('NetworkGrid', () => {
  // 0 - 1 - 2 - 3, and 1 - 4
  const edges: [number, number][] = [
    [0, 1],
    [1, 2],
    [2, 3],
    [1, 4],
  ];

  it('neighbourhoods by hops, with and without the centre', () => {
    const net = NetworkGrid.fromEdges(edges, { nodes: [9] });
    expect(net.getNeighborhood(1)).toEqual([0, 2, 4]);
    expect(net.getNeighborhood(0, { radius: 2 })).toEqual([1, 2, 4]);
    expect(net.getNeighborhood(0, { radius: 2, includeCenter: true })).toEqual([0, 1, 2, 4]);
    expect(net.getNeighborhood(9)).toEqual([]);
    expect(NetworkGrid.fromEdges(edges, { directed: true }).getNeighborhood(3)).toEqual([]);
    expect(() => net.getNeighborhood(42)).toThrow(/not in the network/);
    expect(net.nodes).toHaveLength(6);
  });

  it('places, moves and removes agents; finds neighbours', () => {
    const m = new Model({ seed: 1 });
    const net = new NetworkGrid<Agent, string>(
      new Map([
        ['a', ['b']],
        ['b', ['a']],
      ]),
    );
    const x = new Agent(m);
    const y = new Agent(m);
    net.placeAgent(x, 'a');
    net.placeAgent(y, 'b');
    expect(net.getNeighbors('a')).toEqual([y]);
    net.moveAgent(y, 'a');
    expect(net.cellContents('a')).toEqual([x, y]);
    expect(net.isCellEmpty('b')).toBe(true);
    x.remove();
    expect(net.getAllCellContents()).toEqual([y]);
    net.removeAgent(y);
    expect(y.pos).toBeNull();
    expect(() => new NetworkGrid<Agent, string>({ a: ['zz'] })).toThrow(/unknown node/);
  });
});

import { AGENT_SPACES, type Agent, type AgentSpace, type NodeId } from '../agent.js';

/** A graph as an adjacency list: node -> neighbouring nodes (directed edges; list both ways for undirected). */
export type Adjacency<N extends NodeId = NodeId> =
  ReadonlyMap<N, readonly N[]> | Readonly<Record<N, readonly N[]>>;

export interface NetworkNeighborhoodOptions {
  includeCenter?: boolean;
  /** Number of hops (default 1). */
  radius?: number;
}

/**
 * Agents on the nodes of a graph (Mesa's `NetworkGrid`, which sits on a networkx graph; here on an
 * adjacency list). A node holds any number of agents. Neighbourhoods are found by breadth-first search
 * up to `radius` hops, in BFS order (neighbour order as in the adjacency list).
 */
export class NetworkGrid<A extends Agent = Agent, N extends NodeId = NodeId> {
  private readonly _adjacency: Map<N, readonly N[]>;
  private readonly _contents = new Map<N, A[]>();

  constructor(adjacency: Adjacency<N>) {
    this._adjacency =
      adjacency instanceof Map
        ? new Map(adjacency)
        : new Map(Object.entries(adjacency) as unknown as [N, readonly N[]][]);
    for (const [node, neighbours] of this._adjacency) {
      for (const n of neighbours) {
        if (!this._adjacency.has(n))
          throw new RangeError(`edge ${String(node)} -> ${String(n)} leads to an unknown node`);
      }
    }
  }

  /** A network from an edge list (undirected unless `directed`). Nodes without edges go in `nodes`. */
  static fromEdges<A extends Agent = Agent, N extends NodeId = NodeId>(
    edges: Iterable<readonly [N, N]>,
    options: { directed?: boolean; nodes?: Iterable<N> } = {},
  ): NetworkGrid<A, N> {
    const adjacency = new Map<N, N[]>();
    const node = (n: N) => {
      let list = adjacency.get(n);
      if (!list) adjacency.set(n, (list = []));
      return list;
    };
    for (const n of options.nodes ?? []) node(n);
    for (const [a, b] of edges) {
      node(a).push(b);
      const back = node(b);
      if (!options.directed) back.push(a);
    }
    return new NetworkGrid<A, N>(adjacency);
  }

  get nodes(): N[] {
    return [...this._adjacency.keys()];
  }

  hasNode(node: N): boolean {
    return this._adjacency.has(node);
  }

  /** The nodes within `radius` hops of `node`. */
  getNeighborhood(node: N, options: NetworkNeighborhoodOptions = {}): N[] {
    const { includeCenter = false, radius = 1 } = options;
    this._check(node);
    const seen = new Set<N>([node]);
    const out: N[] = includeCenter ? [node] : [];
    let frontier: N[] = [node];
    for (let hop = 0; hop < radius && frontier.length > 0; hop++) {
      const next: N[] = [];
      for (const n of frontier) {
        for (const m of this._adjacency.get(n)!) {
          if (seen.has(m)) continue;
          seen.add(m);
          out.push(m);
          next.push(m);
        }
      }
      frontier = next;
    }
    return out;
  }

  /** The agents on the nodes around `node`. */
  getNeighbors(node: N, options: NetworkNeighborhoodOptions = {}): A[] {
    return this.getCellListContents(this.getNeighborhood(node, options));
  }

  getCellListContents(nodes: Iterable<N>): A[] {
    const out: A[] = [];
    for (const n of nodes) for (const agent of this._contents.get(n) ?? []) out.push(agent);
    return out;
  }

  cellContents(node: N): readonly A[] {
    this._check(node);
    return this._contents.get(node) ?? [];
  }

  isCellEmpty(node: N): boolean {
    return this.cellContents(node).length === 0;
  }

  /** Every agent on the network. */
  getAllCellContents(): A[] {
    return this.getCellListContents(this._adjacency.keys());
  }

  placeAgent(agent: A, node: N): void {
    this._check(node);
    let list = this._contents.get(node);
    if (!list) this._contents.set(node, (list = []));
    list.push(agent);
    agent.pos = node;
    AGENT_SPACES.set(agent, this as unknown as AgentSpace);
  }

  moveAgent(agent: A, node: N): void {
    this._check(node);
    this._take(agent);
    this.placeAgent(agent, node);
  }

  removeAgent(agent: A): void {
    this._take(agent);
    agent.pos = null;
    AGENT_SPACES.delete(agent);
  }

  private _take(agent: A): void {
    const list = this._contents.get(agent.pos as N);
    const at = list ? list.indexOf(agent) : -1;
    if (at < 0) throw new RangeError(`${String(agent)} is not on this network`);
    list!.splice(at, 1);
  }

  private _check(node: N): void {
    if (!this._adjacency.has(node)) throw new RangeError(`node ${String(node)} is not in the network`);
  }
}

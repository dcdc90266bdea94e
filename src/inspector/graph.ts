/**
 * A machine's statechart as plain JSON for the page, built with xstate/graph
 * (offline: no hosted visualiser). The page lays it out and highlights the
 * current state and the last transition.
 */
import { toDirectedGraph } from 'xstate/graph';
import type { AnyStateMachine } from 'xstate';

export interface StatechartEdge {
  source: string;
  target: string;
  /** Event type that takes this transition. */
  event: string;
}

export interface StatechartNode {
  /** Full state node id, e.g. memory_block.online */
  id: string;
  /** Name within its parent, e.g. online */
  key: string;
  type: string;
  /** Key of the initial child, if compound. */
  initial?: string;
  children: StatechartNode[];
  edges: StatechartEdge[];
}

type GraphNode = ReturnType<typeof toDirectedGraph>;

function convert(node: GraphNode): StatechartNode {
  const sn = node.stateNode;
  const initialTarget = sn.type === 'compound' ? sn.initial?.target?.[0] : undefined;
  return {
    id: node.id,
    key: sn.key,
    type: sn.type,
    ...(initialTarget ? { initial: initialTarget.key } : {}),
    children: node.children.map(convert),
    edges: node.edges.map((e) => ({ source: e.source.id, target: e.target.id, event: e.label.text })),
  };
}

export function statechartFromMachine(machine: AnyStateMachine): StatechartNode {
  return convert(toDirectedGraph(machine));
}

/** The node whose path (dot-separated keys under the root, e.g. "online" or "a.b") matches. */
export function findStateNode(root: StatechartNode, statePath: string): StatechartNode | undefined {
  let cur: StatechartNode | undefined = root;
  for (const key of statePath.split('.')) {
    cur = cur?.children.find((c) => c.key === key);
    if (!cur) return undefined;
  }
  return cur;
}

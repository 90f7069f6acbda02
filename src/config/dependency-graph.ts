// The dependencies between supervised processes as a graph: normalised edges, cycles, and a start order.
// Names are user-chosen, so every structure here is a Map: a service may be called `toString`.
import type { Process } from './generated/config-types';

export type Condition = 'started' | 'ready' | 'completed' | 'completedSuccessfully';

/** Service name → the names it depends on. */
export type DependencyGraph = ReadonlyMap<string, readonly string[]>;

/** `dependsOn` in its two spellings → name → condition (a list means `started`), in config order. */
export function dependencies(process: Pick<Process, 'dependsOn'>): Map<string, Condition> {
  const dependsOn = process.dependsOn;
  if (dependsOn === undefined) return new Map();
  if (Array.isArray(dependsOn)) return new Map(dependsOn.map((name) => [name, 'started' as const]));
  return new Map(Object.entries(dependsOn as Record<string, Condition>));
}

/** A dependency cycle as the list of names along it, first name repeated at the end; undefined when acyclic. */
export function findCycle(graph: DependencyGraph): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const next of graph.get(name) ?? []) {
      if (!graph.has(next)) continue;
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of graph.keys()) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Names in an order where every service comes after what it depends on (ties keep config order). */
export function startOrder(graph: DependencyGraph): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  const place = (name: string, seen: Set<string>): void => {
    if (placed.has(name) || seen.has(name)) return;
    seen.add(name);
    for (const next of graph.get(name) ?? []) if (graph.has(next)) place(next, seen);
    placed.add(name);
    order.push(name);
  };
  for (const name of graph.keys()) place(name, new Set());
  return order;
}

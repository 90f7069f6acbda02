// The dependencies between supervised processes as a graph: normalised edges, cycles, and a start order.
import type { Process } from './generated/config-types';

export type Condition = 'started' | 'ready' | 'completed' | 'completedSuccessfully';

/** `dependsOn` in its two spellings → name → condition (a list means `started`). */
export function dependencies(process: Pick<Process, 'dependsOn'>): Record<string, Condition> {
  const dependsOn = process.dependsOn;
  if (dependsOn === undefined) return {};
  if (Array.isArray(dependsOn)) return Object.fromEntries(dependsOn.map((name) => [name, 'started' as const]));
  return { ...(dependsOn as Record<string, Condition>) };
}

/** A dependency cycle as the list of names along it, first name repeated at the end; undefined when acyclic. */
export function findCycle(graph: Readonly<Record<string, readonly string[]>>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    if (state.get(name) === 'done') return undefined;
    if (state.get(name) === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    for (const next of graph[name] ?? []) {
      if (!(next in graph)) continue;
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const name of Object.keys(graph)) {
    const cycle = visit(name);
    if (cycle) return cycle;
  }
  return undefined;
}

/** Names in an order where every service comes after what it depends on (ties keep config order). */
export function startOrder(graph: Readonly<Record<string, readonly string[]>>): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  const place = (name: string, seen: Set<string>): void => {
    if (placed.has(name) || seen.has(name)) return;
    seen.add(name);
    for (const next of graph[name] ?? []) if (next in graph) place(next, seen);
    placed.add(name);
    order.push(name);
  };
  for (const name of Object.keys(graph)) place(name, new Set());
  return order;
}

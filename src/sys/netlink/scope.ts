// Route and address scopes (enum rt_scope_t) by the names iproute2 gives them.
import { RT_SCOPE_HOST, RT_SCOPE_LINK, RT_SCOPE_NOWHERE, RT_SCOPE_UNIVERSE } from './constants';

export type Scope = 'global' | 'site' | 'link' | 'host' | 'nowhere' | number;

const SCOPES: ReadonlyMap<number, Scope> = new Map<number, Scope>([
  [RT_SCOPE_UNIVERSE, 'global'],
  [200, 'site'],
  [RT_SCOPE_LINK, 'link'],
  [RT_SCOPE_HOST, 'host'],
  [RT_SCOPE_NOWHERE, 'nowhere'],
]);

/** The scope's name, or its number when it has none. */
export function scopeName(scope: number): Scope {
  return SCOPES.get(scope) ?? scope;
}

// `bootstrap ctl status` as text: one row per service in aligned columns.
import type { ExitInfo, ServiceStatus } from '../supervisor/model';

const headers = ['NAME', 'STATE', 'PID', 'STARTS', 'RESTARTS', 'LAST-EXIT', 'SINCE', 'WAITING-FOR'] as const;

/** The status table; `now` (ms since the epoch) turns `since` into an age such as `3m04s`. */
export function formatStatusTable(services: readonly ServiceStatus[], now: number): string {
  const rows = services.map((service) => [
    service.main ? `${service.name}*` : service.name,
    service.state,
    service.pid === null ? '-' : String(service.pid),
    String(service.starts),
    String(service.restarts),
    formatExit(service.lastExit),
    formatAge(now - service.since),
    service.waitingFor ?? '-',
  ]);
  const table = [[...headers], ...rows];
  const widths = headers.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0)));
  const lines = table.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  ').trimEnd());
  const footnote = services.some((service) => service.main) ? ['* the main service'] : [];
  return `${[...lines, ...footnote].join('\n')}\n`;
}

/** How a service last ended: its status, with the signal's name when a signal killed it (`137 SIGKILL`). */
export function formatExit(exit: ExitInfo | null): string {
  if (exit === null) return '-';
  return exit.signal === null ? String(exit.status) : `${exit.status} ${exit.signal}`;
}

/** A duration in its two largest units: `42s`, `3m04s`, `2h05m`, `4d03h`. */
export function formatAge(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  const two = (value: number): string => String(value).padStart(2, '0');
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${two(seconds % 60)}s`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)}h${two(Math.floor(seconds / 60) % 60)}m`;
  return `${Math.floor(seconds / 86_400)}d${two(Math.floor(seconds / 3600) % 24)}h`;
}

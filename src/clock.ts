// Milliseconds since this process started, as performance.now() counts them, without the `performance` global: its
// first use loads eleven of Node's internal modules (perf_hooks and its timing classes), 1-4 ms on a host and some
// 80 ms of PID 1's boot under QEMU's emulation, where V8 interprets everything (docs/performance.md, "A sixth pass").
export function nowMs(): number {
  return process.uptime() * 1000;
}

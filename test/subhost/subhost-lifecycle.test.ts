// Subhosts for real (root, this machine's kernel): the seed's smallest subhost started, entered and stopped;
// what the host keeps after stop (nothing), after a SIGKILL of PID 1 (hibernation), and a resume.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { binary } from '../supervise/run-supervisor';
import { cli, mountsUnder, netnsNames, processesInNamespace, status, subhostDir, subhostStarter } from './subhost-fixture';

const { start, track } = subhostStarter();

describe('the smallest possible subhost (BASE=., an overlay of the host\'s /)', () => {
  it('starts, shows the host\'s files overlaid, keeps its writes in root, has bootstrap as PID 1, and stop leaves nothing', () => {
    const dir = subhostDir('small', 'subhost: {}\npostSwitch:\n  handoff: {mode: none}\n');
    const hostFile = join(dir.top, 'host-marker');
    writeFileSync(hostFile, 'from the host\n');
    start(dir.config, dir.name);

    const running = status(dir.name);
    expect(running.condition).toBe('running');
    expect(running.mounts.map((mount) => mount.target)).toContain(join(dir.base, 'live'));
    expect(netnsNames()).toContain(dir.name);

    const inside = cli(['subhost', 'enter', dir.name, '--', '/bin/sh', '-c', `cat ${hostFile}; hostname; cat /proc/1/comm; tr '\\0' ' ' < /proc/1/cmdline; echo; echo written-inside > ${dir.top}/inside-file; ls /proc | grep -c '^[0-9]'`]);
    expect(inside.status, inside.stderr).toBe(0);
    const [seen, hostname, comm, cmdline, , processes] = inside.stdout.split('\n');
    expect(seen).toBe('from the host');
    expect(hostname).toBe(dir.name);
    expect(comm).toBe('bootstrap');
    expect(cmdline).toMatch(/__subhost-init/);
    // PID 1, the shell, ls and grep: nothing of the host's.
    expect(Number(processes)).toBeLessThanOrEqual(5);
    // The write went to the upper layer, never to the host.
    expect(existsSync(join(dir.top, 'inside-file'))).toBe(false);
    expect(readFileSync(join(dir.base, 'root', dir.top.slice(1), 'inside-file'), 'utf8')).toBe('written-inside\n');

    const pid1 = running.pid1!;
    const namespace = readlinkSync(`/proc/${pid1}/ns/pid`);
    const stop = cli(['subhost', 'stop', dir.name]);
    expect(stop.status, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/PID 1 ended after SIGTERM/);
    expect(mountsUnder(dir.base)).toEqual([]);
    expect(netnsNames()).not.toContain(dir.name);
    expect(processesInNamespace(namespace)).toEqual([]);
    expect(existsSync(`/run/bootstrap/subhosts/${dir.name}/state.json`)).toBe(false);
    expect(status(dir.name).condition).toBe('stopped');
    // PID 1's log stays for the administrator.
    expect(readFileSync(`/run/bootstrap/subhosts/${dir.name}/console.log`, 'utf8')).toMatch(/PID 1 reaps and holds/);
  });

  it('enter runs the command in the subhost, not as a child of its PID 1, and exits with its status', () => {
    const dir = subhostDir('enter', 'subhost: {}\npostSwitch:\n  handoff: {mode: none}\n');
    start(dir.config, dir.name);
    const run = cli(['subhost', 'enter', dir.name, '--', '/bin/sh', '-c', 'echo parent $(awk \'/^PPid/ {print $2}\' /proc/$$/status); exit 7']);
    expect(run.status).toBe(7);
    // The shell's parent is nsenter (outside the namespace: pid 0 as seen from inside), never PID 1.
    expect(run.stdout.trim()).toBe('parent 0');
  });
});

describe('hibernation (the subhost scripts\' "control start" state)', () => {
  it('after SIGKILL of PID 1, its processes are gone, mounts and network namespace stay; start resumes; stop removes all', () => {
    const dir = subhostDir('hib', `subhost: {}
postSwitch:
  handoff:
    mode: supervise
    processes:
      sleeper: {program: /bin/sleep, arguments: ["1000"]}
`);
    start(dir.config, dir.name);
    const first = status(dir.name);
    expect(first.processes.listed.map((process) => process.command).join('\n')).toMatch(/sleep 1000/);
    // The supervisor inside answers status through its control socket, reached by PID 1's root.
    expect(cli(['subhost', 'status', dir.name]).stdout).toMatch(/services:\n\s+NAME\s+STATE.*\n\s+sleeper\s+(running|ready)\s+[0-9]+/);
    const namespace = readlinkSync(`/proc/${first.pid1!}/ns/pid`);
    expect(cli(['subhost', 'enter', dir.name, '--', '/bin/sh', '-c', 'echo kept > /root/hibernated']).status).toBe(0);

    process.kill(first.pid1!, 'SIGKILL');
    const deadline = Date.now() + 5000;
    while (status(dir.name).condition !== 'hibernating' && Date.now() < deadline) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    const hibernating = status(dir.name);
    expect(hibernating.condition).toBe('hibernating');
    expect(processesInNamespace(namespace)).toEqual([]);
    expect(mountsUnder(join(dir.base, 'live'))).toEqual([join(dir.base, 'live')]);
    expect(netnsNames()).toContain(dir.name);
    expect(cli(['subhost', 'list']).stdout).toMatch(new RegExp(`${dir.name}\\s+hibernating`));

    start(dir.config, dir.name);
    const resumed = status(dir.name);
    expect(resumed.condition).toBe('running');
    expect(resumed.pid1).not.toBe(first.pid1);
    const seen = cli(['subhost', 'enter', dir.name, '--', '/bin/cat', '/root/hibernated']);
    expect(seen.stdout).toBe('kept\n');

    // Killed again, then stopped: stop finds no PID 1 and still removes everything.
    process.kill(resumed.pid1!, 'SIGKILL');
    const stop = cli(['subhost', 'stop', dir.name]);
    expect(stop.status, stop.stderr).toBe(0);
    expect(mountsUnder(dir.base)).toEqual([]);
    expect(netnsNames()).not.toContain(dir.name);
    expect(existsSync(`/run/bootstrap/subhosts/${dir.name}/state.json`)).toBe(false);
  });

  it('stop of a PID 1 that ignores SIGTERM kills its namespace after stopTimeout and still cleans up', () => {
    const dir = subhostDir('stubborn', `subhost: {stopTimeout: 1s}
postSwitch:
  handoff: {mode: exec, program: /bin/sh, arguments: ["-c", "trap '' TERM; while :; do sleep 1; done"]}
`);
    start(dir.config, dir.name);
    const pid1 = status(dir.name).pid1!;
    const namespace = readlinkSync(`/proc/${pid1}/ns/pid`);
    const began = Date.now();
    const stop = cli(['subhost', 'stop', dir.name]);
    expect(stop.status, stop.stderr).toBe(0);
    expect(stop.stdout).toMatch(/killed after its stop timeout/);
    expect(Date.now() - began).toBeGreaterThanOrEqual(1000);
    expect(processesInNamespace(namespace)).toEqual([]);
    expect(mountsUnder(dir.base)).toEqual([]);
  });
});

describe('a shell as the subhost\'s init (the subhost scripts\' control start)', () => {
  it('runs on the terminal start runs from; when it exits the subhost hibernates', () => {
    const dir = subhostDir('shell', 'subhost: {}\npostSwitch:\n  handoff: {mode: shell, program: /bin/sh, onExit: poweroff}\n');
    track(dir.name);
    // script(1) gives start a terminal; the commands arrive once the shell is up.
    const feed = `sleep 2; printf 'hostname; echo in-shell-$((6*7))\\n'; sleep 1; printf 'exit\\n'; sleep 1`;
    const run = spawnSync('/bin/sh', ['-c', `(${feed}) | script -qec '${binary} subhost start ${dir.config}' /dev/null`], { encoding: 'utf8', timeout: 30_000 });
    const text = run.stdout.replaceAll('\r', '');
    expect(text).toMatch(new RegExp(`^${dir.name}$`, 'm'));
    expect(text).toMatch(/^in-shell-42$/m);
    expect(text).toMatch(new RegExp(`the shell of subhost ${dir.name} ended: it hibernates`));
    expect(status(dir.name).condition).toBe('hibernating');
  });

  it('is refused without a terminal, before anything changes', () => {
    const dir = subhostDir('noterm', 'subhost: {}\npostSwitch:\n  handoff: {mode: shell, program: /bin/sh}\n');
    const run = cli(['subhost', 'start', dir.config]);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/standard input is not a terminal/);
    expect(mountsUnder(dir.base)).toEqual([]);
  });
});

describe('a user-namespace subhost (lcboot\'s id map)', () => {
  it('is root inside, mapped to the configured host ids, and its files land on the host as those ids', () => {
    const dir = subhostDir('userns', `namespaces: [user, mount, pid, net, uts, ipc]
idMap:
  users: "0 1000000 65536"
  groups: ["0 1000000", {internal: 1, external: 1000001, size: 65535}]
subhost: {}
postSwitch:
  handoff: {mode: none}
`);
    // Root inside is 1000000 outside: the temp directory (0700, the host's root) would stop it reaching live.
    const refused = cli(['subhost', 'start', dir.config]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`${dir.top} \\(mode 700, owner 0\\) is not searchable by the subhost's root, host uid 1000000`));
    chmodSync(dir.top, 0o755);
    start(dir.config, dir.name);
    const run = cli(['subhost', 'enter', dir.name, '--', '/bin/sh', '-c', 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; echo mapped > /tmp/mapped-file']);
    expect(run.status, run.stderr).toBe(0);
    const lines = run.stdout.split('\n').map((line) => line.trim().split(/\s+/).join(' '));
    expect(lines.slice(0, 5)).toEqual(['0', '0', '0 1000000 65536', '0 1000000 1', '1 1000001 65535']);
    const written = statSync(join(dir.base, 'root/tmp/mapped-file'));
    expect([written.uid, written.gid]).toEqual([1000000, 1000000]);
    // PID 1 is root of the namespace too, and the host sees it as 1000000.
    const pid1 = status(dir.name).pid1!;
    expect(readFileSync(`/proc/${pid1}/status`, 'utf8')).toMatch(/^Uid:\s+1000000\s+1000000\s+1000000\s+1000000$/m);
    expect(cli(['subhost', 'stop', dir.name]).status).toBe(0);
    expect(mountsUnder(dir.base)).toEqual([]);
  });
});

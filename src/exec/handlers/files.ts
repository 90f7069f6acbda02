// Handlers for `sysctl`, `symlink`, `tmpfile` and `setEnv`: files of the running root, through Node's fs.
import { chmodSync, chownSync, existsSync, lstatSync, readFileSync, readlinkSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { StepOf } from '../../plan/step';
import { idOf } from '../../probe/passwd';
import { makeDirectories } from '../../sys/fs';
import type { BaseContext } from '../context';

/** `net.core.somaxconn` or `net/core/somaxconn` → /proc/sys/net/core/somaxconn. */
export function sysctlPath(key: string): string {
  // sysctl(8) takes both separators; a key with a slash is already a path.
  return `/proc/sys/${key.includes('/') ? key : key.replace(/\./g, '/')}`;
}

export function applySysctl(step: StepOf<'sysctl'>): void {
  const path = sysctlPath(step.key);
  if (!existsSync(path)) throw new Error(`sysctl ${step.key}: ${path} does not exist (unknown parameter, or its module is not loaded)`);
  writeFileSync(path, `${step.value}\n`);
}

/** Creates the link, replacing an older link; refuses to replace anything that is not a link. */
export function createSymlink(step: StepOf<'symlink'>): { skipped: string } | void {
  let existing;
  try {
    existing = lstatSync(step.path);
  } catch {
    existing = undefined;
  }
  if (existing) {
    if (!existing.isSymbolicLink()) throw new Error(`symlink ${step.path}: a ${existing.isDirectory() ? 'directory' : 'file'} is already there`);
    if (readlinkSync(step.path) === step.target) return { skipped: `${step.path} already points to ${step.target}` };
    unlinkSync(step.path);
  }
  makeDirectories(dirname(step.path));
  symlinkSync(step.target, step.path);
}

function resolveOwner(owner: number | string | undefined, database: '/etc/passwd' | '/etc/group'): number | undefined {
  if (owner === undefined || typeof owner === 'number') return owner;
  if (/^\d+$/.test(owner)) return Number(owner);
  let text = '';
  try {
    text = readFileSync(database, 'utf8');
  } catch {
    throw new Error(`cannot resolve ${owner}: ${database} is not readable in this root; use a number`);
  }
  const id = idOf(text, owner);
  if (id === undefined) throw new Error(`${owner} is not in ${database}`);
  return id;
}

/** Creates a file (with its content) or directory, then sets mode and owner. */
export function createTmpfile(step: StepOf<'tmpfile'>): void {
  const uid = resolveOwner(step.user, '/etc/passwd');
  const gid = resolveOwner(step.group, '/etc/group');
  if (step.type === 'directory') {
    makeDirectories(step.path);
  } else {
    makeDirectories(dirname(step.path));
    if (step.content !== undefined) writeFileSync(step.path, step.content);
    else if (!existsSync(step.path)) writeFileSync(step.path, '');
  }
  if (step.mode !== undefined) chmodSync(step.path, step.mode);
  if (uid !== undefined || gid !== undefined) chownSync(step.path, uid ?? -1, gid ?? -1);
}

/** Adds the variables to what hooks and the handoff inherit. */
export function setEnvironment(step: StepOf<'setEnv'>, context: BaseContext): void {
  Object.assign(context.env, step.variables);
}

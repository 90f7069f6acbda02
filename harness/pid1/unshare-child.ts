// The PID 1 an `unshare --fork` started, as the host sees it, for tests and benches that watch an init from outside.
import { readFileSync } from 'node:fs';

/** The only child of an `unshare --fork`: the program it started, as PID 1 of the new namespace. */
export async function childOf(pid: number): Promise<number> {
  for (let tries = 0; tries < 500; tries++) {
    try {
      const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
      if (children) return Number(children.split(' ')[0]);
    } catch {
      // not there yet
    }
    await new Promise((done) => setTimeout(done, 10));
  }
  throw new Error(`unshare (pid ${pid}) started no child`);
}

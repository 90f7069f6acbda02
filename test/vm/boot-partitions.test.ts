// A root on a partition of a virtio disk, named by PARTUUID= (GPT, and an MBR logical partition) or PARTLABEL=: the
// real kernel's partition scan and uevent, where the namespace tests had only partitions added by partx.
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bootGuest, buildGuestRoot, configPathFor, guestInitPattern, makeExt4Image, packBootstrap, panicPattern, readKernelEnv, recordTranscript, removeTempDirs, saveTranscripts, stopAll, tempDir, waitForExit } from '../../harness/vm';

const bootTimeoutMs = 60_000;

const rootConfig = (device: string): string => `
console: console
logLevel: debug
emergency: {action: poweroff}
preSwitch:
  modules:
    names: [virtio_pci, virtio_blk, ext4]
switchRoot:
  rootFileSystem: {type: device, device: "${device}"}
postSwitch:
  handoff: {mode: exec, program: /sbin/init}
`;

/** A disk image of `filesystem` plus room for the table, partitioned by sfdisk, with the filesystem copied into partition `number`. */
function disk(path: string, filesystem: string, script: (sizeMiB: number) => string, number: number): string {
  const sizeMiB = Math.ceil(statSync(filesystem).size / 2 ** 20);
  execFileSync('truncate', ['-s', `${sizeMiB + 4}M`, path]);
  execFileSync('sfdisk', ['-q', path], { input: script(sizeMiB) });
  const table = JSON.parse(execFileSync('sfdisk', ['--json', path], { encoding: 'utf8' })) as { partitiontable: { partitions: { node: string; start: number }[] } };
  const partition = table.partitiontable.partitions.find((entry) => entry.node.endsWith(String(number)));
  if (!partition) throw new Error(`sfdisk made no partition ${number} on ${path}`);
  execFileSync('dd', [`if=${filesystem}`, `of=${path}`, 'bs=512', `seek=${partition.start}`, 'conv=notrunc,sparse', 'status=none']);
  return path;
}

describe('a root found by its partition', () => {
  const partUuid = randomUUID();
  const partLabel = 'guest root';
  const signature = randomBytes(4).toString('hex');
  let initrd: string;
  let gpt: string;
  let mbr: string;

  beforeAll(() => {
    const kernel = readKernelEnv();
    const work = tempDir('boot-partitions');
    const guestRoot = buildGuestRoot(join(work, 'guest-root'));
    const filesystem = makeExt4Image({ dir: guestRoot, output: join(work, 'root.ext4'), label: 'part-root' });
    gpt = disk(join(work, 'gpt.img'), filesystem, (size) => `label: gpt\nsize=1M, type=L, name="spacer"\nsize=${size}M, type=L, uuid=${partUuid}, name="${partLabel}"\n`, 2);
    mbr = disk(join(work, 'mbr.img'), filesystem, (size) => `label: dos\nlabel-id: 0x${signature}\nsize=1M, type=83\ntype=5\nsize=${size}M, type=83\n`, 5);
    initrd = packBootstrap({
      work,
      output: join(work, 'initrd'),
      kernel,
      config: rootConfig(`PARTUUID=${partUuid}`),
      extraConfigs: { 'gpt-partuuid': rootConfig(`PARTUUID=${partUuid.toUpperCase()}`), 'gpt-partlabel': rootConfig(`PARTLABEL=${partLabel}`), 'mbr-partuuid': rootConfig(`PARTUUID=${signature}-05`) },
    });
  });
  afterEach(saveTranscripts);
  afterEach(stopAll);
  afterAll(removeTempDirs);

  it.each([
    ['gpt-partuuid', () => gpt, () => `PARTUUID=${partUuid.toUpperCase()} is /dev/vda2 (ext4)`],
    ['gpt-partlabel', () => gpt, () => `PARTLABEL=${partLabel} is /dev/vda2 (ext4)`],
    ['mbr-partuuid', () => mbr, () => `PARTUUID=${signature}-05 is /dev/vda5 (ext4)`],
  ])(
    '%s',
    async (name, image, found) => {
      const guest = recordTranscript(`partitions-${name}`, await bootGuest({ initrd, root: { kind: 'block', image: image() }, append: `bootstrap.config=${configPathFor(name)}`, timeoutMs: bootTimeoutMs }));
      const reached = await guest.waitFor(guestInitPattern, bootTimeoutMs);
      expect(reached.match[1]).toBe('1');
      const exit = await waitForExit(guest, bootTimeoutMs);
      expect(guest.console()).not.toMatch(panicPattern);
      expect(exit).toMatchObject({ code: 0, timedOut: false });
      expect(guest.console()).toContain(found());
      // Another config than the packed one: validated and planned at boot, not taken from the prepared boot.
      expect(guest.console()).toContain(`bootstrap: debug: config ${configPathFor(name)}: not the one prepared in /etc/bootstrap/prepared.json; validating it\n`);
      expect(guest.console()).not.toContain('bootstrap: debug: plan: as bootstrap pack made it');
    },
    2 * bootTimeoutMs,
  );
});

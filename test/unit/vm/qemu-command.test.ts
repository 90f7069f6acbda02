// qemuArgs: the machine vm asks QEMU for.
import { describe, expect, it } from 'vitest';
import { qemuArgs, type QemuSpec } from '../../../src/vm/qemu-command';

const spec: QemuSpec = {
  accel: 'tcg',
  cpus: 2,
  memoryMiB: 1024,
  kernel: '/boot/vmlinuz',
  initrd: '/run/vm/initrd.img',
  append: 'console=ttyS0 panic=-1 quiet',
  sockets: { virtiofs: '/run/vm/virtiofs.sock', serial: '/run/vm/serial.sock', terminal: '/run/vm/terminal.sock', stdout: '/run/vm/stdout.sock', stderr: '/run/vm/stderr.sock' },
};

const after = (args: string[], flag: string): string[] => args.flatMap((arg, index) => (args[index - 1] === flag ? [arg] : []));

describe('qemuArgs', () => {
  it('emulates max under TCG and passes the host CPU through with KVM', () => {
    expect(after(qemuArgs(spec), '-cpu')).toEqual(['max']);
    expect(after(qemuArgs({ ...spec, accel: 'kvm' }), '-cpu')).toEqual(['host']);
    expect(after(qemuArgs(spec), '-accel')).toEqual(['tcg']);
  });

  it('shares memory with virtiofsd, gives a random number source, and never reboots', () => {
    const args = qemuArgs(spec);
    expect(args).toEqual(expect.arrayContaining(['-no-reboot', '-nodefaults', 'virtio-rng-pci', 'vhost-user-fs-pci,chardev=virtiofs,tag=rootfs', 'memory-backend-memfd,id=mem,size=1024M,share=on']));
    expect(after(args, '-m')).toEqual(['1024M']);
    expect(after(args, '-smp')).toEqual(['2']);
  });

  it('puts the command on a virtconsole, with ports for stdout and stderr only for pipes', () => {
    const pipes = after(qemuArgs({ ...spec, io: { kind: 'pipes' } }), '-device');
    expect(pipes).toEqual(expect.arrayContaining(['virtconsole,chardev=terminal', 'virtserialport,chardev=stdout,name=bootstrap.stdout', 'virtserialport,chardev=stderr,name=bootstrap.stderr']));
    const terminal = after(qemuArgs({ ...spec, io: { kind: 'terminal', rows: undefined, columns: undefined, term: undefined } }), '-device');
    expect(terminal).toContain('virtconsole,chardev=terminal');
    expect(terminal.filter((device) => device.startsWith('virtserialport'))).toEqual([]);
    // --config: the serial console alone.
    expect(after(qemuArgs(spec), '-device').some((device) => device.startsWith('virtconsole'))).toBe(false);
  });

  it('doubles commas in paths, as QEMU option values need', () => {
    const args = qemuArgs({ ...spec, sockets: { ...spec.sockets, serial: '/tmp/a,b/serial.sock' } });
    expect(args).toContain('socket,id=serial,path=/tmp/a,,b/serial.sock');
  });
});

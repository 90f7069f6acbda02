// The test bed's pure parts: which kernel a run boots, and reading a program's lines out of a shared console.
import { describe, expect, it } from 'vitest';
import { withoutKernelLines } from '../../../harness/vm/console-text';
import { parseKernelEnv, testKernel } from '../../../harness/vm/kernel-env';

describe('testKernel', () => {
  it('is 6.1 unless BOOTSTRAP_TEST_KERNEL names another kernel of the bed, and refuses anything else', () => {
    expect(testKernel({})).toBe('6.1');
    expect(testKernel({ BOOTSTRAP_TEST_KERNEL: '' })).toBe('6.1');
    expect(testKernel({ BOOTSTRAP_TEST_KERNEL: '6.12' })).toBe('6.12');
    expect(() => testKernel({ BOOTSTRAP_TEST_KERNEL: '6.13' })).toThrow('BOOTSTRAP_TEST_KERNEL=6.13: expected one of 6.1, 6.12');
  });

  it('reads the env file the setup script writes, tagged with the kernel it is for', () => {
    const text = 'KERNEL_VERSION=6.12.117+deb13-amd64\nKERNEL_IMAGE=/c/boot/vmlinuz\nKERNEL_MODULES=/c/usr/lib/modules/6.12.117+deb13-amd64\n';
    expect(parseKernelEnv(text, '6.12')).toEqual({ kernel: '6.12', version: '6.12.117+deb13-amd64', image: '/c/boot/vmlinuz', modules: '/c/usr/lib/modules/6.12.117+deb13-amd64' });
    expect(() => parseKernelEnv('KERNEL_VERSION=x\n', '6.1', 'env')).toThrow('env: KERNEL_IMAGE is missing');
  });
});

describe('withoutKernelLines', () => {
  it("puts a program's line back together when a kernel message landed inside it", () => {
    // As seen on 6.12: the kernel's pr_err for the next module arrived in the middle of bootstrap's debug line.
    const transcript = '[    8.181556] not an xz compressed module\n[   8.296] bootstrap: debug: modules: the kernel[    8.249309] not an xz compressed module\n does not take gzip modules\n';
    expect(withoutKernelLines(transcript)).toBe('[   8.296] bootstrap: debug: modules: the kernel does not take gzip modules\n');
  });
});

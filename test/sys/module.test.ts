// finit_module and init_module error paths on the host kernel; loading real modules is covered in test/vm (QEMU).
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixtureResult, runFixture } from './run-fixture';

interface ErrorReport {
  name: string;
  code?: string;
  syscall?: string;
  message: string;
}

// Some hosts (this project's CI sandbox among them) run kernels built without CONFIG_MODULES.
const kernelLoadsModules = existsSync('/proc/modules');

describe('module loading', () => {
  const result = fixtureResult<Record<'badFd' | 'notAModule' | 'missingPath' | 'notAModuleImage' | 'emptyImage', ErrorReport | null>>(
    runFixture('module'),
  );

  it('reports the kernel reason as a SysError naming the call', () => {
    if (kernelLoadsModules) {
      expect(result.badFd).toMatchObject({ name: 'SysError', code: 'EBADF', syscall: 'finit_module' });
      expect(result.notAModule?.code).toMatch(/^(EINVAL|ENOEXEC|EFBIG)$/);
      expect(result.notAModuleImage?.code).toMatch(/^(EINVAL|ENOEXEC)$/);
    } else {
      expect(result.badFd).toMatchObject({ name: 'SysError', code: 'ENOSYS', syscall: 'finit_module' });
      expect(result.badFd?.message).toBe(
        'finit_module(fd=999, params="", flags=0): ENOSYS (Function not implemented); this kernel was built without loadable module support',
      );
      expect(result.notAModuleImage).toMatchObject({ code: 'ENOSYS', syscall: 'init_module' });
    }
  });

  it('reports a missing module file as the failed open, before any module call', () => {
    expect(result.missingPath).toMatchObject({ name: 'SysError', code: 'ENOENT', syscall: 'open' });
    expect(result.missingPath?.message).toContain('path="/no/such/module.ko"');
    expect(result.emptyImage).toMatchObject({ name: 'TypeError' });
  });
});

// The QEMU test bed in one import: kernel cache, guest boot and console, and the image builders.
export { TestBedError } from './test-bed-error';
export { cacheDir, repoRoot, setupScript } from '../paths';
export { readKernelEnv, parseKernelEnv, kernelEnvFile, builtInTestModules, testKernel, testKernels, testKernelVariable, type KernelEnv, type TestKernel } from './kernel-env';
export { spawnTracked, stopAll, tempDir, removeTempDirs, type ProcessExit, type TrackedProcess } from './processes';
export { startVirtiofsd, virtiofsdWrapper, type Virtiofsd } from './virtiofsd';
export { freeNfsPorts, startNfsServer, type NfsPorts, type NfsServer } from './nfs-server';
export { qemuArgs, qemuProgram, baseAppend, baseAppendFor, type GuestArch, type GuestRoot, type Nic, type QemuSpec } from './qemu-args';
export {
  bootGuest,
  waitForExit,
  waitForPowerOff,
  panicPattern,
  type BootOptions,
  type ConsoleMatch,
  type Guest,
  type GuestExit,
} from './boot-guest';
export { packInitramfs, type InitramfsSpec } from './initramfs';
export { makeExt4Image, type Ext4ImageSpec } from './ext4-image';
export { copyModules } from './kernel-modules';
export { buildGuestRoot, guestInitPattern, type ForeignBusybox } from './guest-root';
export { readArm64Env, arm64EnvFile, type Arm64Env } from './arm64-env';
export {
  buildBaselineInitramfs,
  baselineInitScript,
  baselineModules,
  baselineStartedPattern,
  modulesLoadedPattern,
  switchRootPattern,
  type BaselineRoot,
  type BaselineInitramfsSpec,
} from './baseline-initramfs';
export { packBootstrap, bootstrapBinary, configPathFor, extraConfigDir, type BootstrapPackSpec } from './bootstrap-pack';
export { writeGuestFile, writeGuestScript } from './guest-files';
export { sectionBetween, requiredSection, literal, withoutKernelLines } from './console-text';
export { recordTranscript, saveTranscripts } from './transcripts';
export { startVm, bedArgs, processesMentioning, waitUntilGone, type VmRun, type VmExit, type FoundProcess } from './bootstrap-vm';

// The kernel boundary as one interface: the executor and supervisor take a `Sys`, tests hand them a fake.
import { releaseControllingTerminal, takeConsole, type ConsoleOptions } from './console';
import { close, closeRange, dup2, keepStdioAcrossExec, setNonBlocking } from './fd';
import { isExecutable } from './executable';
import { deviceOf, isRamfsOrTmpfs, mknod, statfsType, symlink, type MknodSpec } from './fs';
import { bindIdmapped, type IdmappedBindSpec } from './idmapped-bind';
import { attachLoop, detachLoop, type LoopDevice } from './loop';
import { finitModule, initModule, type FinitModuleSpec, type ModuleLoadResult } from './module';
import { pipe, writeAll, writeSome, type Pipe } from './pipe';
import { mount, pivotRoot, umount, type MountSpec, type UmountSpec } from './mount';
import { reboot, sync, type RebootCommand } from './power';
import { bringLoopbackUp } from './net';
import { openUdpOnDevice, type UdpSocket } from './udp-broadcast';
import { tryTcpConnect, type TcpAttempt } from './tcp-connect';
import { addAddress, deleteAddress, listAddresses, replaceAddress, type AddressSpec } from './netlink/addresses';
import type { AddressInfo } from './netlink/address-messages';
import type { LinkChange, LinkInfo, NetnsRef, NewLink, OperState } from './netlink/link-spec';
import { addLink, changeLink, deleteLink, getLink, listLinks } from './netlink/links';
import type { RouteInfo, RouteSpec } from './netlink/route-messages';
import { addRoute, deleteRoute, listRoutes } from './netlink/routes';
import { becomeSubreaper, changeIdentity, unblockSignals, chdir, chroot, execve, getpid, sethostname, setsid, type ExecSpec } from './process';
import { kill, posixSpawn, waitAny, type ChildExit, type SpawnSpec, type StdioSource } from './spawn';

// The data types of the interface, so callers need no other import from sys/.
export type { ChildExit, ConsoleOptions, ExecSpec, FinitModuleSpec, IdmappedBindSpec, LoopDevice, MknodSpec, ModuleLoadResult, MountSpec, Pipe, RebootCommand, SpawnSpec, StdioSource, UmountSpec };
export type { TcpAttempt, UdpSocket };
export type { AddressInfo, AddressSpec, LinkChange, LinkInfo, NetnsRef, NewLink, OperState, RouteInfo, RouteSpec };
export { SysError } from './sys-error';

/** Every kernel operation boot and supervision perform; plain data in and out, failures as SysError. */
export interface Sys {
  mount(spec: MountSpec): void;
  umount(spec: UmountSpec): void;
  pivotRoot(newRoot: string, putOld: string): void;
  /** Binds source on target with its uids and gids mapped (open_tree, mount_setattr MOUNT_ATTR_IDMAP, move_mount). */
  bindIdmapped(spec: IdmappedBindSpec): void;
  /** A free /dev/loopN on `file`, cleared by the kernel once its last user goes; close `fd` after mounting it. */
  attachLoop(file: string, options: { readOnly: boolean }): LoopDevice;
  detachLoop(device: string): void;
  /** Runs on a thread of libuv's pool: loads that do not depend on each other may run at the same time. */
  finitModule(spec: FinitModuleSpec): Promise<ModuleLoadResult>;
  initModule(image: Uint8Array, params?: string): Promise<ModuleLoadResult>;
  execve(spec: ExecSpec): never;
  setsid(): number;
  chdir(path: string): void;
  chroot(path: string): void;
  sethostname(name: string): void;
  getpid(): number;
  becomeSubreaper(): void;
  changeIdentity(identity: { uid: number; gid: number; groups?: readonly number[] }): void;
  unblockSignals(signals: readonly number[]): void;
  dup2(oldFd: number, newFd: number): void;
  closeRange(first: number, last?: number, flags?: number): void;
  keepStdioAcrossExec(): void;
  takeConsole(devicePath: string, options: ConsoleOptions): void;
  releaseControllingTerminal(): void;
  mknod(spec: MknodSpec): void;
  symlink(target: string, path: string): void;
  statfsType(path: string): number;
  isRamfsOrTmpfs(path: string): boolean;
  deviceOf(path: string): bigint;
  reboot(command: RebootCommand): void;
  bringLoopbackUp(name?: string): boolean;
  // rtnetlink, in this process's network namespace; each call is one bounded exchange with the kernel.
  /** Every link: index, name, MAC, MTU, up/lower-up/running flags, carrier, operstate, kind, master. */
  listLinks(): LinkInfo[];
  /** One link's state now (for waiting on carrier); SysError ENODEV when there is none. */
  getLink(name: string): LinkInfo;
  /** Creates a veth pair (its peer directly in another namespace when asked), a bridge, or a VLAN interface. */
  addLink(link: NewLink): void;
  /** Sets a link up or down, renames it, sets its MAC, MTU or master (null detaches), or moves it to a namespace. */
  changeLink(change: LinkChange): void;
  deleteLink(name: string): void;
  addAddress(spec: AddressSpec): void;
  /** Adds the address or updates the one there (its lifetimes). */
  replaceAddress(spec: AddressSpec): void;
  deleteAddress(spec: AddressSpec): void;
  listAddresses(): AddressInfo[];
  addRoute(spec: RouteSpec): void;
  deleteRoute(spec: RouteSpec): void;
  listRoutes(): RouteInfo[];
  /** A UDP socket bound to 0.0.0.0:port on one interface (SO_BINDTODEVICE) that may broadcast: DHCP before an address. */
  openUdpOnDevice(spec: { device: string; port: number }): UdpSocket;
  /** One TCP connection to `address`:`port`, closed at once; resolves (never rejects) within `timeoutMs`. */
  tryTcpConnect(spec: { address: string; port: number; timeoutMs: number }): Promise<TcpAttempt>;
  sync(): void;
  posixSpawn(spec: SpawnSpec): number;
  waitAny(): ChildExit | null;
  kill(pid: number, signal: number | NodeJS.Signals): void;
  pipe(): Pipe;
  close(fd: number): void;
  setNonBlocking(fd: number, on: boolean): void;
  writeSome(fd: number, bytes: Uint8Array): number;
  writeAll(fd: number, bytes: Uint8Array): void;
  isExecutable(path: string): boolean;
}

/** The real kernel, through koffi (loaded on the first call that needs C). */
export const realSys: Sys = {
  mount,
  umount,
  pivotRoot,
  bindIdmapped,
  attachLoop,
  detachLoop,
  finitModule,
  initModule,
  execve,
  setsid,
  chdir,
  chroot,
  sethostname,
  getpid,
  becomeSubreaper,
  changeIdentity,
  unblockSignals,
  dup2,
  closeRange,
  keepStdioAcrossExec,
  takeConsole,
  releaseControllingTerminal,
  mknod,
  symlink,
  statfsType,
  isRamfsOrTmpfs,
  deviceOf,
  reboot,
  bringLoopbackUp,
  listLinks,
  getLink,
  addLink,
  changeLink,
  deleteLink,
  addAddress,
  replaceAddress,
  deleteAddress,
  listAddresses,
  addRoute,
  deleteRoute,
  listRoutes,
  openUdpOnDevice,
  tryTcpConnect,
  sync,
  posixSpawn,
  waitAny,
  kill,
  pipe,
  close,
  setNonBlocking,
  writeSome,
  writeAll,
  isExecutable,
};

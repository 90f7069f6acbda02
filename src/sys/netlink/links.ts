// Links through rtnetlink: list them, read one, create veth pairs, bridges and VLANs, change (up/down, name, MAC,
// MTU, master, namespace) and delete them. Arguments are checked before anything is sent.
import { closeSync, openSync } from 'node:fs';
import { checkFd, checkInteger, checkPath } from '../check';
import { viaNode } from '../node-error';
import { parseMac } from './ip-address';
import { changeLinkRequest, decodeLink, deleteLinkRequest, dumpLinksRequest, getLinkRequest, newLinkRequest, type NetnsAttribute, type ResolvedNewLink } from './link-messages';
import { checkInterfaceName, type LinkChange, type LinkInfo, type NetnsRef, type NewLink } from './link-spec';
import { RTM_NEWLINK } from './constants';
import { withRouteSocket, type RouteSocket } from './route-socket';

/** Every link of this network namespace, in the kernel's order (by index). */
export function listLinks(): LinkInfo[] {
  return withRouteSocket((socket) => {
    const links = socket.dump(dumpLinksRequest()).filter((message) => message.type === RTM_NEWLINK).map(decodeLink);
    const names = new Map(links.map((link) => [link.index, link.name]));
    return links.map((link) => ({ ...link, master: link.masterIndex === undefined ? undefined : names.get(link.masterIndex) }));
  });
}

/** The link `name` now (state, carrier, master…); a SysError ENODEV when there is none. */
export function getLink(name: string): LinkInfo {
  checkInterfaceName('getLink', 'name', name);
  return withRouteSocket((socket) => {
    const link = linkBy(socket, { name });
    return link.masterIndex === undefined ? link : { ...link, master: linkBy(socket, { index: link.masterIndex }).name };
  });
}

/** Creates a veth pair, a bridge or a VLAN interface; a link of that name already there is EEXIST. */
export function addLink(link: NewLink): void {
  checkInterfaceName('addLink', 'name', link.name);
  withRouteSocket((socket) => {
    switch (link.kind) {
      case 'veth': {
        checkInterfaceName('addLink', 'peer.name', link.peer.name);
        if (link.mac !== undefined) parseMac(link.mac);
        if (link.peer.mac !== undefined) parseMac(link.peer.mac);
        const { mac, peer } = link;
        withNetns(peer.netns, (netns, where) => {
          const resolved: ResolvedNewLink = { kind: 'veth', name: link.name, ...(mac === undefined ? {} : { mac }), peer: { name: peer.name, ...(peer.mac === undefined ? {} : { mac: peer.mac }), ...(netns === undefined ? {} : { netns }) } };
          const request = newLinkRequest(resolved);
          if (where !== undefined) request.args.peerNetns = where;
          socket.request(request);
        });
        return;
      }
      case 'bridge':
        socket.request(newLinkRequest(link));
        return;
      case 'vlan': {
        checkInterfaceName('addLink', 'parent', link.parent);
        // IEEE 802.1Q reserves 0 and 4095; the kernel refuses 4095 too (ERANGE, "8021q: Invalid VLAN id").
        checkInteger('addLink', 'id', link.id, 1, 4094);
        const parentIndex = linkBy(socket, { name: link.parent }).index;
        socket.request(newLinkRequest({ kind: 'vlan', name: link.name, parentIndex, id: link.id }));
        return;
      }
    }
  });
}

/** Changes what `change` names on the link `change.name`, in one request. */
export function changeLink(change: LinkChange): void {
  checkInterfaceName('changeLink', 'name', change.name);
  if (change.newName !== undefined) checkInterfaceName('changeLink', 'newName', change.newName);
  if (change.mac !== undefined) parseMac(change.mac);
  if (change.mtu !== undefined) checkInteger('changeLink', 'mtu', change.mtu, 1, 0x7fff_ffff);
  if (typeof change.master === 'string') checkInterfaceName('changeLink', 'master', change.master);
  withRouteSocket((socket) => {
    const index = linkBy(socket, { name: change.name }).index;
    // IFLA_MASTER 0 detaches the link from its master.
    const masterIndex = change.master === undefined ? undefined : change.master === null ? 0 : linkBy(socket, { name: change.master }).index;
    withNetns(change.netns, (netns, where) => {
      const request = changeLinkRequest({
        index,
        name: change.name,
        ...(change.up === undefined ? {} : { up: change.up }),
        ...(change.newName === undefined ? {} : { newName: change.newName }),
        ...(change.mac === undefined ? {} : { mac: change.mac }),
        ...(change.mtu === undefined ? {} : { mtu: change.mtu }),
        ...(masterIndex === undefined ? {} : { masterIndex }),
        ...(netns === undefined ? {} : { netns }),
      });
      if (where !== undefined) request.args.netns = where;
      socket.request(request);
    });
  });
}

/** Deletes the link `name` (a veth's peer goes with it, wherever it is). */
export function deleteLink(name: string): void {
  checkInterfaceName('deleteLink', 'name', name);
  withRouteSocket((socket) => socket.request(deleteLinkRequest(name)));
}

/** The link `by` names, read through `socket`. */
export function linkBy(socket: RouteSocket, by: { name: string } | { index: number }): LinkInfo {
  const message = socket.request(getLinkRequest(by)).find((answer) => answer.type === RTM_NEWLINK);
  if (message === undefined) throw new Error(`netlink RTM_GETLINK ${JSON.stringify(by)}: the kernel acknowledged without describing the link`);
  return decodeLink(message);
}

/** The names of this namespace's links by index (an address or route names its link by index). */
export function linkNames(socket: RouteSocket): Map<number, string> {
  const links = socket.dump(dumpLinksRequest()).filter((message) => message.type === RTM_NEWLINK).map(decodeLink);
  return new Map(links.map((link) => [link.index, link.name]));
}

/**
 * Runs `use` with the namespace as netlink names it, and as messages name it (a namespace file by its path): a
 * namespace file is opened for the request and closed after.
 */
function withNetns<T>(netns: NetnsRef | undefined, use: (netns: NetnsAttribute | undefined, where: string | undefined) => T): T {
  if (netns === undefined) return use(undefined, undefined);
  if ('pid' in netns) return use({ pid: checkInteger('netns', 'pid', netns.pid, 1, 0x3fff_ffff) }, `pid ${netns.pid}`);
  if ('fd' in netns) return use({ fd: checkFd('netns', 'fd', netns.fd) }, `fd ${netns.fd}`);
  const path = checkPath('netns', 'path', netns.path);
  const fd = viaNode('open', { path }, () => openSync(path, 'r'));
  try {
    return use({ fd }, path);
  } finally {
    closeSync(fd);
  }
}

// Addresses through rtnetlink: add, delete and list IPv4 and IPv6 addresses of links ("192.168.10.2/24", "fd00::2/64").
import { RTM_NEWADDR } from './constants';
import { addressRequest, decodeAddress, dumpAddressesRequest, type AddressInfo, type AddressLifetime } from './address-messages';
import { parsePrefix } from './ip-address';
import { checkInterfaceName } from './link-spec';
import { linkBy, linkNames } from './links';
import { withRouteSocket } from './route-socket';

/** An address on a link: `address` with its prefix length. */
export interface AddressSpec {
  link: string;
  address: string;
  /** Lifetimes for an address that runs out (a DHCP lease); forever when left out. */
  lifetime?: AddressLifetime;
}

/** Adds `spec.address` to the link; the same address already there is EEXIST. */
export function addAddress(spec: AddressSpec): void {
  changeAddress('add', spec);
}

/** Adds `spec.address` or, when it is there, replaces it: how a renewed lease refreshes the address's lifetimes. */
export function replaceAddress(spec: AddressSpec): void {
  changeAddress('replace', spec);
}

/** Deletes `spec.address` from the link; an address not there is EADDRNOTAVAIL. */
export function deleteAddress(spec: AddressSpec): void {
  changeAddress('delete', spec);
}

function changeAddress(action: 'add' | 'replace' | 'delete', spec: AddressSpec): void {
  const call = `${action}Address`;
  checkInterfaceName(call, 'link', spec.link);
  const prefix = parsePrefix(spec.address, `${call}: address`);
  withRouteSocket((socket) => {
    const index = linkBy(socket, { name: spec.link }).index;
    socket.request({ ...addressRequest(action, index, prefix, spec.address, spec.lifetime), args: { link: spec.link, address: spec.address } });
  });
}

/** Every IPv4 and IPv6 address of every link of this network namespace. */
export function listAddresses(): AddressInfo[] {
  return withRouteSocket((socket) => {
    const names = linkNames(socket);
    return socket
      .dump(dumpAddressesRequest())
      .filter((message) => message.type === RTM_NEWADDR)
      .flatMap((message) => {
        const address = decodeAddress(message);
        // A link deleted between the two dumps has no name any more: its index, marked as one, says which it was.
        return address === undefined ? [] : [{ ...address, link: names.get(address.index) ?? `#${address.index}` }];
      });
  });
}

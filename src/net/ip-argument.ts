// The kernel's `ip=` argument as Documentation/admin-guide/nfs/nfsroot.rst defines it. Pure: text in, data out.
//   ip=<client-ip>:<server-ip>:<gw-ip>:<netmask>:<hostname>:<device>:<autoconf>:<dns0-ip>:<dns1-ip>:<ntp0-ip>
// or <autoconf> alone (ip=dhcp, ip=off).
import { parseIp } from '../sys/netlink/ip-address';

/** How the interface gets its address: `static` from the argument's own fields (autoconf off or none), or DHCP. */
export type IpAutoconf = 'static' | 'dhcp';

/** What an `ip=` argument asks for; fields left empty are undefined. */
export interface IpArgument {
  autoconf: IpAutoconf;
  /** The client's address with its prefix length, as `addresses` takes it ("10.0.2.16/24"). */
  address: string | undefined;
  server: string | undefined;
  gateway: string | undefined;
  hostname: string | undefined;
  device: string;
  nameservers: string[];
}

/** ip=off or ip=none alone: the kernel argument turns autoconfiguration off and configures nothing. */
export const IP_OFF = 'off';

// The autoconf words nfsroot.rst lists: off/none are static, on/any/dhcp become DHCP (the only protocol here);
// bootp, rarp and both are protocols bootstrap does not speak.
const DHCP_WORDS = new Set(['', 'on', 'any', 'dhcp']);
const STATIC_WORDS = new Set(['off', 'none']);

/**
 * Parses the value of `ip=`; `off` for ip=off alone; throws a TypeError naming the field that is wrong. The device is
 * required: the kernel tries every card and keeps the first that answers, bootstrap configures the one it is told.
 */
export function parseIpArgument(value: string): IpArgument | typeof IP_OFF {
  if (!value.includes(':')) {
    const word = autoconfWord(value);
    if (STATIC_WORDS.has(word)) return IP_OFF;
    autoconf(word);
    throw new TypeError(`ip=${value} names no device: bootstrap does not pick a card; write ip=:::::eth0:${word || 'dhcp'}`);
  }
  const fields = value.split(':');
  if (fields.length > 10) throw new TypeError(`ip=${value}: ${fields.length} fields, at most 10 (client:server:gateway:netmask:hostname:device:autoconf:dns0:dns1:ntp0)`);
  const [client = '', server = '', gateway = '', netmask = '', hostname = '', device = '', word = '', dns0 = '', dns1 = ''] = fields;
  const address = (text: string, what: string): string | undefined => {
    if (text === '') return undefined;
    const parsed = parseIp(text);
    if (parsed?.family !== 4) throw new TypeError(`ip=${value}: the ${what} ${JSON.stringify(text)} is not an IPv4 address`);
    return text;
  };
  const clientIp = address(client, 'client address');
  // As the kernel's ipconfig: with its own address given, an empty (or on, any) autoconf configures statically.
  const mode = clientIp !== undefined && ['', 'on', 'any'].includes(autoconfWord(word)) ? 'static' : autoconf(autoconfWord(word));
  if (mode === 'static' && clientIp === undefined) throw new TypeError(`ip=${value}: autoconf ${word} (static) needs a client address in the first field`);
  if (hostname !== '' && !/^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/.test(hostname)) throw new TypeError(`ip=${value}: the hostname ${JSON.stringify(hostname)} is not a host name`);
  if (device !== '' && (device.length > 15 || /[/\s]/.test(device))) throw new TypeError(`ip=${value}: the device ${JSON.stringify(device)} is not an interface name`);
  if (device === '') throw new TypeError(`ip=${value} names no device (the sixth field): bootstrap does not pick a card`);
  const length = clientIp === undefined ? undefined : netmask === '' ? classfulLength(clientIp) : prefixLength(netmask, value);
  return {
    autoconf: mode,
    address: clientIp === undefined ? undefined : `${clientIp}/${String(length)}`,
    server: address(server, 'server address'),
    gateway: address(gateway, 'gateway'),
    // nfsroot.rst: what follows the first "." of the hostname is the NIS domain, not part of the hostname.
    hostname: hostname === '' ? undefined : hostname.split('.')[0],
    device,
    nameservers: [address(dns0, 'first nameserver'), address(dns1, 'second nameserver')].filter((server): server is string => server !== undefined),
  };
}

// "dhcp,client-id-type,client-id-value" carries a client id after the word.
function autoconfWord(text: string): string {
  return text.split(',')[0] ?? '';
}

function autoconf(word: string): IpAutoconf {
  if (STATIC_WORDS.has(word)) return 'static';
  if (DHCP_WORDS.has(word)) return 'dhcp';
  throw new TypeError(`ip= autoconf ${JSON.stringify(word)}: bootstrap configures off, none (static), dhcp, on or any (DHCP); bootp, rarp and both are not supported`);
}

// A netmask "255.255.255.0" as its prefix length; its one bits must come first.
function prefixLength(netmask: string, value: string): number {
  const parsed = parseIp(netmask);
  if (parsed?.family !== 4) throw new TypeError(`ip=${value}: the netmask ${JSON.stringify(netmask)} is not an IPv4 netmask such as 255.255.255.0`);
  const bits = Array.from(parsed.bytes, (byte) => byte.toString(2).padStart(8, '0')).join('');
  if (bits.includes('01')) throw new TypeError(`ip=${value}: the netmask ${netmask} has a zero bit before a one bit`);
  return bits.indexOf('0') < 0 ? 32 : bits.indexOf('0');
}

// nfsroot.rst: without a netmask, "the netmask is derived from the client IP address assuming classful addressing".
function classfulLength(address: string): number {
  const first = Number(address.split('.')[0]);
  return first < 128 ? 8 : first < 192 ? 16 : 24;
}

// The DHCP client against a fake server on a fake clock: the four messages, retransmission with backoff, a NAK
// starting over, replies for others ignored, and an error naming the interface when no server answers.
import { describe, expect, it } from 'vitest';
import { extendLease, requestLease } from '../../../src/net/dhcp/client';
import { DhcpOption } from '../../../src/net/dhcp/lease';
import { BOOTREPLY, decodeDhcp, DhcpType, encodeDhcp, type DhcpMessage } from '../../../src/net/dhcp/message';
import type { UdpSocket } from '../../../src/sys/index';

const mac = Uint8Array.of(0x52, 0x54, 0x00, 0x12, 0x34, 0x56);

type Server = (request: DhcpMessage, type: number) => DhcpMessage[];

/** A socket whose peer is `server`; receive advances the clock by the time waited when nothing is there. */
function network(server: Server) {
  let clock = 0;
  const sent: { type: number; at: number; to: string; port: number }[] = [];
  const queue: Uint8Array[] = [];
  let closed = false;
  const socket: UdpSocket = {
    fd: 3,
    send(bytes, address, port) {
      const request = decodeDhcp(bytes);
      const type = request.options.get(DhcpOption.messageType)?.[0] ?? 0;
      sent.push({ type, at: clock, to: address, port });
      for (const reply of server(request, type)) queue.push(encodeDhcp(reply));
    },
    receive(timeoutMs) {
      const next = queue.shift();
      if (next === undefined) clock += timeoutMs;
      return next;
    },
    close() {
      closed = true;
    },
  };
  return { socket, sent, now: () => clock, closed: () => closed };
}

function reply(request: DhcpMessage, type: number, fields: Partial<DhcpMessage> = {}): DhcpMessage {
  const options = new Map<number, Uint8Array>([
    [DhcpOption.messageType, Uint8Array.of(type)],
    [DhcpOption.serverId, Uint8Array.of(10, 0, 2, 2)],
    [DhcpOption.subnetMask, Uint8Array.of(255, 255, 255, 0)],
    [DhcpOption.router, Uint8Array.of(10, 0, 2, 2)],
    [DhcpOption.dns, Uint8Array.of(10, 0, 2, 3)],
    [DhcpOption.leaseTime, Uint8Array.of(0, 1, 0x51, 0x80)],
  ]);
  return { op: BOOTREPLY, xid: request.xid, secs: 0, broadcast: true, ciaddr: '0.0.0.0', yiaddr: '10.0.2.15', siaddr: '10.0.2.2', giaddr: '0.0.0.0', chaddr: request.chaddr, options, ...fields };
}

// QEMU's user network, answering every DISCOVER and REQUEST.
const qemu: Server = (request, type) => (type === DhcpType.discover ? [reply(request, DhcpType.offer)] : type === DhcpType.request ? [reply(request, DhcpType.ack)] : []);

describe('requestLease', () => {
  it('DISCOVER, OFFER, REQUEST, ACK: broadcast to port 67, the lease the server acknowledged, the socket closed', async () => {
    const net = network(qemu);
    const lease = await requestLease({ device: 'eth0', mac, timeoutMs: 10_000, open: () => net.socket, now: net.now, xid: 42 });
    expect(lease).toEqual({ address: '10.0.2.15/24', routers: ['10.0.2.2'], dns: ['10.0.2.3'], domain: undefined, mtu: undefined, leaseSeconds: 86400, serverId: '10.0.2.2' });
    expect(net.sent.map((message) => [message.type, message.to, message.port])).toEqual([
      [DhcpType.discover, '255.255.255.255', 67],
      [DhcpType.request, '255.255.255.255', 67],
    ]);
    expect(net.closed()).toBe(true);
  });

  it('sends again after 1, 2, 4 s while nobody answers, and then names the interface and what it sent', async () => {
    const net = network(() => []);
    await expect(requestLease({ device: 'eth0', mac, timeoutMs: 10_000, open: () => net.socket, now: net.now })).rejects.toThrow(
      'eth0: no DHCP lease within 10000ms (waitOnline): 4 DHCPDISCOVER and 0 DHCPREQUEST sent, no offer came; is a DHCP server on this network?',
    );
    expect(net.sent.map((message) => message.at)).toEqual([0, 1000, 3000, 7000]);
    expect(net.now()).toBe(10_000);
    expect(net.closed()).toBe(true);
  });

  it('ignores offers for another transaction or another card', async () => {
    const net = network((request, type) => {
      if (type !== DhcpType.discover) return qemu(request, type);
      return [reply(request, DhcpType.offer, { xid: request.xid + 1 }), reply(request, DhcpType.offer, { chaddr: Uint8Array.of(2, 0, 0, 0, 0, 1), yiaddr: '10.0.2.99' }), reply(request, DhcpType.offer)];
    });
    expect((await requestLease({ device: 'eth0', mac, timeoutMs: 5000, open: () => net.socket, now: net.now })).address).toBe('10.0.2.15/24');
  });

  it('goes back to DISCOVER after a NAK', async () => {
    let naked = false;
    const net = network((request, type) => {
      if (type === DhcpType.request && !naked) {
        naked = true;
        return [reply(request, DhcpType.nak)];
      }
      return qemu(request, type);
    });
    const lines: string[] = [];
    await requestLease({ device: 'eth0', mac, timeoutMs: 5000, open: () => net.socket, now: net.now, trace: (line) => lines.push(line) });
    expect(net.sent.map((message) => message.type)).toEqual([DhcpType.discover, DhcpType.request, DhcpType.discover, DhcpType.request]);
    expect(lines).toContain('DHCPNAK from 10.0.2.2 for 10.0.2.15: starting over');
  });

  it('says when offers came but no acknowledgement', async () => {
    const net = network((request, type) => (type === DhcpType.discover ? [reply(request, DhcpType.offer)] : []));
    await expect(requestLease({ device: 'eth1', mac, timeoutMs: 3000, open: () => net.socket, now: net.now })).rejects.toThrow('eth1: no DHCP lease within 3000ms (waitOnline): 1 DHCPDISCOVER and 2 DHCPREQUEST sent, 1 offer but no acknowledgement');
  });
});

describe('extendLease (real time, short states)', () => {
  const spec = (socket: UdpSocket, to: { server: string } | 'broadcast', untilInMs: number) => ({
    device: 'eth0',
    mac,
    address: '10.0.2.15',
    to,
    untilMs: performance.now() + untilInMs,
    open: () => socket,
    xid: 7,
    stop: new AbortController().signal,
    // Every 100 ms here, where RFC 2131's minimum is 60 s.
    retransmitAt: (now: number, until: number) => Math.min(until, now + 100),
  });

  it('RENEWING: a REQUEST with ciaddr unicast to the server, no broadcast flag; the ACK is the renewed lease', async () => {
    const requests: DhcpMessage[] = [];
    const net = network((request, type) => {
      requests.push(request);
      return type === DhcpType.request ? [reply(request, DhcpType.ack)] : [];
    });
    const result = await extendLease(spec(net.socket, { server: '10.0.2.2' }, 2000));
    expect(result).toMatchObject({ answer: 'ack', lease: { address: '10.0.2.15/24', leaseSeconds: 86400 } });
    expect(net.sent.map((message) => [message.type, message.to, message.port])).toEqual([[DhcpType.request, '10.0.2.2', 67]]);
    expect(requests[0]).toMatchObject({ ciaddr: '10.0.2.15', broadcast: false });
    expect(requests[0]?.options.has(DhcpOption.requestedAddress)).toBe(false);
    expect(net.closed()).toBe(true);
  });

  it('REBINDING: broadcast; a NAK ends it with the server named', async () => {
    const net = network((request, type) => (type === DhcpType.request ? [reply(request, DhcpType.nak)] : []));
    expect(await extendLease(spec(net.socket, 'broadcast', 2000))).toEqual({ answer: 'nak', serverId: '10.0.2.2' });
    expect(net.sent[0]?.to).toBe('255.255.255.255');
  });

  it('silence: sent again at each retransmit time, and nothing once the state ends', async () => {
    const net = network(() => []);
    expect(await extendLease(spec(net.socket, { server: '10.0.2.2' }, 450))).toEqual({ answer: 'none' });
    expect(net.sent.length).toBeGreaterThanOrEqual(3);
    expect(net.sent.length).toBeLessThanOrEqual(6);
    expect(net.closed()).toBe(true);
  });

  it('stops at once when aborted', async () => {
    const net = network(() => []);
    const controller = new AbortController();
    const started = performance.now();
    const pending = extendLease({ ...spec(net.socket, { server: '10.0.2.2' }, 60_000), stop: controller.signal });
    setTimeout(() => controller.abort(), 50);
    expect(await pending).toEqual({ answer: 'none' });
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

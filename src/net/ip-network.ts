// An `ip=` kernel argument as the config's `network` section: it takes the place of the config's interfaces, as
// bootstrap.* arguments take precedence over the config. Pure.
import type { Network } from '../config/generated/config-types';
import type { IpArgument } from './ip-argument';

/** The network to configure: the argument's one interface instead of `network.ethernets`, its hostname first. */
export function networkFromIp(ip: IpArgument, network: Network | undefined): Network {
  const hostname = ip.hostname ?? network?.hostname;
  return {
    ...(hostname === undefined ? {} : { hostname }),
    waitOnline: network?.waitOnline ?? '10s',
    ...(network?.phase === undefined ? {} : { phase: network.phase }),
    ethernets: {
      [ip.device]: {
        dhcp4: ip.autoconf === 'dhcp',
        ...(ip.address === undefined ? {} : { addresses: [ip.address] }),
        ...(ip.gateway === undefined ? {} : { routes: [{ to: 'default', via: ip.gateway }] }),
        ...(ip.nameservers.length === 0 ? {} : { nameservers: { addresses: [...ip.nameservers] } }),
      },
    },
  };
}

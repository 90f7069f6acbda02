// Routes through rtnetlink: add, delete and list routes of the main table, default or to a prefix, IPv4 and IPv6.
import { RTM_NEWROUTE } from './constants';
import { checkInterfaceName } from './link-spec';
import { linkBy, linkNames } from './links';
import { decodeRoute, dumpRoutesRequest, parseRoute, routeRequest, type RouteInfo, type RouteSpec } from './route-messages';
import { withRouteSocket } from './route-socket';

/** Adds a route to the main table; the same route already there is EEXIST. */
export function addRoute(spec: RouteSpec): void {
  changeRoute('add', spec);
}

/** Deletes the route of the main table that `spec` matches; none is ESRCH. */
export function deleteRoute(spec: RouteSpec): void {
  changeRoute('delete', spec);
}

function changeRoute(action: 'add' | 'delete', spec: RouteSpec): void {
  const call = action === 'add' ? 'addRoute' : 'deleteRoute';
  if (spec.link !== undefined) checkInterfaceName(call, 'link', spec.link);
  const route = parseRoute(call, spec);
  const args = { destination: spec.destination, ...(spec.gateway === undefined ? {} : { gateway: spec.gateway }), ...(spec.link === undefined ? {} : { link: spec.link }), ...(spec.metric === undefined ? {} : { metric: spec.metric }) };
  withRouteSocket((socket) => {
    const linkIndex = spec.link === undefined ? undefined : linkBy(socket, { name: spec.link }).index;
    socket.request(routeRequest(action, route, linkIndex, spec.metric, args));
  });
}

/** Every IPv4 and IPv6 route of every table (filter on `table` 254 for what `ip route` shows). */
export function listRoutes(): RouteInfo[] {
  return withRouteSocket((socket) => {
    const names = linkNames(socket);
    return socket
      .dump(dumpRoutesRequest())
      .filter((message) => message.type === RTM_NEWROUTE)
      .flatMap((message) => {
        const route = decodeRoute(message);
        if (route === undefined) return [];
        // A link deleted between the two dumps has no name any more: its index, marked as one, says which it was.
        return [{ ...route, link: route.linkIndex === undefined ? undefined : (names.get(route.linkIndex) ?? `#${route.linkIndex}`) }];
      });
  });
}

// Which device node a `console:` name means.

/** `console` → /dev/console, `ttyS0` → /dev/ttyS0, `/dev/hvc0` as is. */
export function consolePath(name: string): string {
  return name.startsWith('/') ? name : `/dev/${name}`;
}

// The two organizations of a connection. Each id carries its role in its type, so a host id
// passed where a guest id is expected (or a pair built the wrong way round) fails `tsc`: the
// role is given once, where an id enters (a path parameter or the caller), and kept from there.
declare const role: unique symbol;

export type HostId = string & { readonly [role]: 'host' };
export type GuestId = string & { readonly [role]: 'guest' };

/** Both organizations of a connection, by role. */
export interface Pair {
  readonly host: HostId;
  readonly guest: GuestId;
}

/** The id of an organization acting as the host. */
export const asHost = (id: string): HostId => id as HostId;
/** The id of an organization acting as the guest. */
export const asGuest = (id: string): GuestId => id as GuestId;

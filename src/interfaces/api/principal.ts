/**
 * Who is calling. Roles are cumulative in practice (an approver is also an engineer), but each is checked by name:
 * `viewer` reads, `engineer` acts, `approver` approves, `admin` manages users and tokens.
 */
export const ROLES = ['viewer', 'engineer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface Principal {
  user: string;
  roles: readonly Role[];
  /** Customer ids this principal may see and act on; `'*'` for all. */
  customers: readonly string[] | '*';
}

/** Resolves a bearer token to a principal, or undefined when the token is unknown, revoked or expired. */
export type Authenticator = (token: string) => Promise<Principal | undefined>;

/**
 * Whether a principal may do what `role` guards. Any role may read (`viewer`); `admin` may do everything except
 * what the approval rules reserve for the `approver` role itself, which the approval service checks on its own.
 */
export function hasRole(principal: Principal, role: Role): boolean {
  if (principal.roles.includes('admin')) return true;
  if (role === 'viewer') return principal.roles.length > 0;
  return principal.roles.includes(role);
}

export function canSeeCustomer(principal: Principal, customerId: string): boolean {
  return principal.customers === '*' || principal.customers.includes(customerId);
}

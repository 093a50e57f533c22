/**
 * Who may do what. Roles are capabilities, not a ladder: `approver` is granted on its own, and `admin` (who manages
 * users and tokens) does not imply it, so that whoever hands out accounts cannot approve a release by default.
 */
export const ROLES = ['viewer', 'engineer', 'approver', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** Customer ids a person may act for; `*` is every customer. */
export type CustomerScope = readonly string[];
export const ALL_CUSTOMERS = '*';

export interface Principal {
  name: string;
  roles: readonly Role[];
  customers: CustomerScope;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function hasRole(principal: Principal, role: Role): boolean {
  return principal.roles.includes(role);
}

export function coversCustomer(scope: CustomerScope, customerId: string): boolean {
  return scope.includes(ALL_CUSTOMERS) || scope.includes(customerId);
}

/** A write (planning, requesting, running) needs `engineer` or `admin`; reading needs any role. */
export function canWrite(principal: Principal): boolean {
  return hasRole(principal, 'engineer') || hasRole(principal, 'admin');
}

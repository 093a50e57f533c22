import type { ResolvedConfig } from '../config/index.js';
import type { HostCriticality, Priority } from '../domain/priority.js';
import type { BusinessCalendar } from '../domain/sla/index.js';
import { AppError } from '../errors.js';

/** What the helpdesk needs to know about customers and hosts: contracts, SLA targets, host criticality. */
export interface HelpdeskDirectory {
  calendarFor(customerId: string): BusinessCalendar;
  slaTargetsFor(customerId: string, priority: Priority): { responseMs: number; resolutionMs: number };
  /** Unknown hosts (gone from the inventory since the run) count as `medium`. */
  hostCriticality(hostId: string): HostCriticality;
  contactEmails(customerId: string): string[];
}

export function directoryFromConfig(config: ResolvedConfig): HelpdeskDirectory {
  const customerOf = (customerId: string) => {
    const customer = config.customers.find((c) => c.id === customerId);
    if (customer === undefined) {
      const known = config.customers.map((c) => c.id).join(', ') || 'none defined';
      throw new AppError('input-invalid', `customer ${JSON.stringify(customerId)} is not in the inventory (known: ${known}); add it to inventory/*.yaml or use one of those ids`);
    }
    return customer;
  };
  return {
    calendarFor(customerId) {
      const customer = customerOf(customerId);
      return { timezone: customer.timezone, hours: customer.contract.businessHours, holidays: customer.contract.holidays };
    },
    slaTargetsFor(customerId, priority) {
      return customerOf(customerId).contract.sla[priority];
    },
    hostCriticality(hostId) {
      return config.hosts.find((h) => h.id === hostId)?.criticality ?? 'medium';
    },
    contactEmails(customerId) {
      return customerOf(customerId).contacts.map((c) => c.email);
    },
  };
}

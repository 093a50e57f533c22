/** What a customer is told before a window, and after it. Plain data: rendering and sending are separate. */
export interface PlannedHost {
  hostId: string;
  /** `name from -> to`; empty when nothing is planned (up to date, or never scanned). */
  updates: Array<{ name: string; from: string | null; to: string }>;
  /** `always`, `if-needed` or `never`, from the host's playbooks (the strongest wins). */
  reboot: 'always' | 'if-needed' | 'never';
  /** Advisory ids (CVE, RHSA, DSA…) the planned updates address. */
  advisories: string[];
  /** Why nothing is planned, when nothing is. */
  note: string | null;
}

export interface PreWindowNotice {
  batchId: string;
  customerId: string;
  customerName: string;
  timezone: string;
  windowStart: string;
  windowEnd: string;
  playbooks: string[];
  hosts: PlannedHost[];
}

export interface HostOutcome {
  hostId: string;
  /** The host's final state in the batch: succeeded, failed, deferred, skipped, interrupted. */
  state: string;
  failureClass: string | null;
  reason: string | null;
}

export interface PostWindowReport {
  batchId: string;
  customerId: string;
  customerName: string;
  timezone: string;
  windowStart: string;
  windowEnd: string;
  status: string;
  hosts: HostOutcome[];
  /** Incidents opened for this window's failures: `INC-000012`, with their title and priority. */
  incidents: Array<{ id: string; title: string; priority: number; status: string }>;
}

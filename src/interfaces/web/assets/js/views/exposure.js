import { query } from '../api.js';
import { h, replace, table } from '../dom.js';

/**
 * Advisory exposure per customer. The advisories part parses CSAF, OSV and KEV and matches them against host
 * inventories in memory, but no advisory is stored and no API route answers "which hosts of this customer are
 * exposed" yet, so this page says so plainly and shows what does exist: the problems opened from advisories.
 */
export async function renderExposure(view) {
  const { items } = await query('/problems', { limit: 500 });
  const fromAdvisories = items.filter((p) => p.source === 'vendor');
  const byCustomer = new Map();
  for (const problem of fromAdvisories) {
    const key = problem.customerId ?? 'several customers';
    byCustomer.set(key, [...(byCustomer.get(key) ?? []), problem]);
  }
  replace(
    view,
    h('h1', {}, 'Advisory exposure'),
    h('div', { class: 'notice' }, 'Exposure per customer is not available yet: the server does not store advisories or expose the inventory match over the API. Below are the preventive problems opened from vendor advisories.'),
    table(
      ['Customer', 'Open advisory problems', 'Highest priority'],
      [...byCustomer].map(([customer, problems]) => h('tr', {}, h('td', {}, customer), h('td', {}, problems.map((p) => p.id).join(', ')), h('td', {}, `P${Math.min(...problems.map((p) => p.priority))}`))),
      { empty: 'No problems from advisories.' },
    ),
  );
}

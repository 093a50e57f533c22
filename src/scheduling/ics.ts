import { MS_PER_DAY, formatBasicUtc, isRepeatedLocalTime, offsetAt } from '../domain/index.js';
import type { Occurrence } from './occurrence.js';
import { localBasic, renderVTimezone } from './vtimezone.js';

export interface IcsOptions {
  /** DTSTAMP of every event; the time the calendar was generated. */
  now?: number;
  /** X-WR-CALNAME, the name calendar clients show. */
  name?: string;
}

/**
 * An RFC 5545 calendar with one VEVENT per occurrence and one VTIMEZONE per zone used. UIDs are derived from
 * occurrence ids (`<windowId>-<YYYYMMDDTHHMMSSZ>@redback-uptime`), so a subscribed calendar updates events in
 * place instead of duplicating them. DTSTART and DTEND are local times with TZID, except in a repeated hour.
 */
export function renderIcs(occurrences: readonly Occurrence[], options: IcsOptions = {}): string {
  const stamp = formatBasicUtc(options.now ?? Date.now());
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//redback-uptime//maintenance windows//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH'];
  if (options.name !== undefined) lines.push(`X-WR-CALNAME:${escapeText(options.name)}`);
  for (const [zone, span] of zoneSpans(occurrences)) lines.push(...renderVTimezone(zone, span.from - 366 * MS_PER_DAY, span.to + 366 * MS_PER_DAY));
  for (const o of occurrences) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${o.id.replace('@', '-')}@redback-uptime`,
      `DTSTAMP:${stamp}`,
      dateTimeProperty('DTSTART', o.startMs, o.timezone),
      dateTimeProperty('DTEND', o.endMs, o.timezone),
      `SUMMARY:${escapeText(`Maintenance ${o.windowId} (${o.customerId})`)}`,
      `DESCRIPTION:${escapeText(describe(o))}`,
      'TRANSP:OPAQUE',
      'STATUS:CONFIRMED',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(fold).join('\r\n')}\r\n`;
}

function zoneSpans(occurrences: readonly Occurrence[]): Map<string, { from: number; to: number }> {
  const spans = new Map<string, { from: number; to: number }>();
  for (const o of occurrences) {
    const span = spans.get(o.timezone);
    if (span === undefined) spans.set(o.timezone, { from: o.startMs, to: o.endMs });
    else spans.set(o.timezone, { from: Math.min(span.from, o.startMs), to: Math.max(span.to, o.endMs) });
  }
  return new Map([...spans].sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Local time with TZID, which calendar clients show and move with the zone; but a local time that occurs twice
 * (the repeated hour) is written in UTC, because parsers disagree on which of the two it means.
 */
function dateTimeProperty(name: string, instantMs: number, zone: string): string {
  if (isRepeatedLocalTime(instantMs, zone)) return `${name}:${formatBasicUtc(instantMs)}`;
  return `${name};TZID=${zone}:${localBasic(instantMs, offsetAt(zone, instantMs))}`;
}

function describe(o: Occurrence): string {
  return [
    `Window ${o.windowId} of customer ${o.customerId} (${o.timezone}).`,
    `Start ${o.start}, end ${o.end}; no new work after ${o.cutoff}.`,
    `Playbooks: ${o.playbooks.join(', ')}.`,
    `Hosts (${o.hostIds.length}): ${o.hostIds.join(', ') || 'none'}.`,
    `Approval: ${o.approval}. Occurrence id: ${o.id}.`,
  ].join('\n');
}

function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** Folds a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character. */
function fold(line: string): string {
  if (line.length <= 75 && Buffer.byteLength(line) <= 75) return line;
  // eslint-disable-next-line no-control-regex -- ASCII test: one character is one octet
  if (/^[\x00-\x7f]*$/.test(line)) {
    const parts = [line.slice(0, 75)];
    for (let i = 75; i < line.length; i += 74) parts.push(line.slice(i, i + 74));
    return parts.join('\r\n ');
  }
  const parts: string[] = [];
  let current = '';
  let size = 0;
  for (const char of line) {
    const bytes = Buffer.byteLength(char);
    const limit = parts.length === 0 ? 75 : 74;
    if (size + bytes > limit) {
      parts.push(current);
      current = '';
      size = 0;
    }
    current += char;
    size += bytes;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/** Dates as people on a maintenance night read them: explicit zone, 24-hour clock, relative to now. */
export const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

const formatters = new Map();
function formatter(zone, style) {
  const key = `${zone}|${style}`;
  if (!formatters.has(key)) {
    const options = { timeZone: zone, hourCycle: 'h23' };
    if (style === 'full') Object.assign(options, { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
    if (style === 'time') Object.assign(options, { hour: '2-digit', minute: '2-digit' });
    if (style === 'zone') Object.assign(options, { hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
    if (style === 'parts') Object.assign(options, { year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(key, new Intl.DateTimeFormat('en-GB', options));
  }
  return formatters.get(key);
}

export function formatInstant(iso, zone = viewerZone) {
  return iso ? formatter(zone, 'full').format(new Date(iso)) : '—';
}

export function formatTime(iso, zone = viewerZone) {
  return formatter(zone, 'time').format(new Date(iso));
}

export function formatTimeWithZone(iso, zone = viewerZone) {
  return formatter(zone, 'zone').format(new Date(iso));
}

/** `YYYY-MM-DD` of the instant in `zone`. */
export function localDate(iso, zone = viewerZone) {
  const parts = Object.fromEntries(formatter(zone, 'parts').formatToParts(new Date(iso)).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}`;
}

/** Milliseconds the server's clock is ahead of this browser's (set at login from `GET /me`). */
let serverOffsetMs = 0;
export function setServerTime(iso) {
  serverOffsetMs = Date.parse(iso) - Date.now();
}
export function serverNow() {
  return Date.now() + serverOffsetMs;
}

/** `in 2 h 05 min`, `12 min ago`, by the server's clock. */
export function relative(iso, now = serverNow()) {
  if (!iso) return '';
  const ms = Date.parse(iso) - now;
  const text = duration(Math.abs(ms));
  return ms >= 0 ? `in ${text}` : `${text} ago`;
}

export function duration(ms) {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.round(ms / 1000)} s`;
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${String(minutes % 60).padStart(2, '0')} min`;
  return `${Math.floor(hours / 24)} d ${hours % 24} h`;
}

/** Date arithmetic on `YYYY-MM-DD` strings (calendar days, no zone involved). */
export function addDays(date, days) {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** 0 = Monday. */
export function weekdayIndex(date) {
  return (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7;
}

export function todayIn(zone = viewerZone) {
  return localDate(new Date(serverNow()).toISOString(), zone);
}

/**
 * CPE names in both notations seen in advisories: the 2.2 URI binding (`cpe:/o:redhat:enterprise_linux:9::baseos`,
 * used by Red Hat) and the 2.3 formatted string (`cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*`, used by NVD and OSV).
 */
export interface Cpe {
  part: string;
  vendor: string;
  product: string;
  version: string;
  update: string;
  edition: string;
  language: string;
}

const EMPTY = '';

export function parseCpe(text: string): Cpe | undefined {
  if (text.startsWith('cpe:2.3:')) {
    const fields = splitFormattedString(text.slice('cpe:2.3:'.length));
    if (fields.length !== 11 || !/^[aoh*-]$/.test(fields[0] ?? '')) return undefined;
    const value = (i: number) => (fields[i] === '*' || fields[i] === '-' ? EMPTY : (fields[i] ?? EMPTY).replace(/\\(.)/g, '$1'));
    return { part: value(0), vendor: value(1), product: value(2), version: value(3), update: value(4), edition: value(5), language: value(6) };
  }
  if (text.startsWith('cpe:/')) {
    const fields = text.slice('cpe:/'.length).split(':');
    if (fields.length > 7 || !/^[aoh]?$/.test(fields[0] ?? '')) return undefined;
    const value = (i: number) => {
      try {
        return decodeURIComponent(fields[i] ?? EMPTY);
      } catch {
        return fields[i] ?? EMPTY;
      }
    };
    return { part: value(0), vendor: value(1), product: value(2), version: value(3), update: value(4), edition: value(5), language: value(6) };
  }
  return undefined;
}

/** Splits on colons that are not escaped with a backslash. */
function splitFormattedString(text: string): string[] {
  const fields: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\\' && i + 1 < text.length) {
      current += c + (text[i + 1] as string);
      i++;
    } else if (c === ':') {
      fields.push(current);
      current = '';
    } else current += c;
  }
  fields.push(current);
  return fields;
}

/**
 * Whether a host platform CPE falls under an advisory's platform CPE: every field the advisory names must be equal,
 * and a field it leaves empty matches anything (`cpe:/o:redhat:enterprise_linux:9` covers `…:9::baseos`).
 */
export function cpeCovers(advisory: Cpe, host: Cpe): boolean {
  const keys: (keyof Cpe)[] = ['part', 'vendor', 'product', 'version', 'update', 'edition', 'language'];
  return keys.every((key) => advisory[key] === EMPTY || advisory[key].toLowerCase() === host[key].toLowerCase());
}

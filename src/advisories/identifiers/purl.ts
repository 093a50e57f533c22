/**
 * Package URLs (purl spec: `pkg:type/namespace/name@version?qualifiers#subpath`). Components are percent-decoded;
 * the type is lower-cased as the spec requires. Returns undefined for text that is not a purl.
 */
export interface PackageUrl {
  type: string;
  namespace: string | undefined;
  name: string;
  version: string | undefined;
  qualifiers: Readonly<Record<string, string>>;
  subpath: string | undefined;
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

export function parsePurl(text: string): PackageUrl | undefined {
  if (!text.startsWith('pkg:')) return undefined;
  let rest = text.slice(4).replace(/^\/+/, '');
  let subpath: string | undefined;
  const hash = rest.indexOf('#');
  if (hash !== -1) {
    subpath = decode(rest.slice(hash + 1));
    rest = rest.slice(0, hash);
  }
  const qualifiers: Record<string, string> = Object.create(null) as Record<string, string>;
  const question = rest.indexOf('?');
  if (question !== -1) {
    for (const pair of rest.slice(question + 1).split('&')) {
      if (pair === '') continue;
      const equals = pair.indexOf('=');
      if (equals <= 0) return undefined;
      const value = decode(pair.slice(equals + 1));
      if (value === undefined) return undefined;
      qualifiers[pair.slice(0, equals).toLowerCase()] = value;
    }
    rest = rest.slice(0, question);
  }
  const slash = rest.indexOf('/');
  if (slash <= 0) return undefined;
  const type = rest.slice(0, slash).toLowerCase();
  if (!/^[a-z.+-][a-z0-9.+-]*$/.test(type)) return undefined;
  let remainder = rest.slice(slash + 1).replace(/\/+$/, '');
  let version: string | undefined;
  const at = remainder.lastIndexOf('@');
  if (at !== -1) {
    version = decode(remainder.slice(at + 1));
    if (version === undefined) return undefined;
    remainder = remainder.slice(0, at);
  }
  const segments = remainder.split('/').filter((s) => s !== '');
  const name = decode(segments.pop() ?? '');
  if (name === undefined || name === '') return undefined;
  const namespaceParts = segments.map(decode);
  if (namespaceParts.some((part) => part === undefined)) return undefined;
  return {
    type,
    namespace: namespaceParts.length === 0 ? undefined : namespaceParts.join('/'),
    name,
    version: version === '' ? undefined : version,
    qualifiers: Object.freeze(qualifiers),
    subpath,
  };
}

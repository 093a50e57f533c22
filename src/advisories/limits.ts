/** Bounds on an advisory document, checked before any of it is used. */
export interface DocumentLimits {
  /** Largest accepted input in bytes. The biggest real document we know (a Red Hat kernel RHSA) is 3.2 MB. */
  maxBytes: number;
  /** Deepest nesting of arrays and objects. Real CSAF documents stay below 20. */
  maxDepth: number;
  /** Longest array anywhere in the document. The 3.2 MB kernel RHSA has about 9,500 entries in one list. */
  maxArrayLength: number;
}

export const DEFAULT_DOCUMENT_LIMITS: Readonly<DocumentLimits> = Object.freeze({
  maxBytes: 20 * 1024 * 1024,
  maxDepth: 64,
  maxArrayLength: 200_000,
});

export function resolveLimits(overrides: Partial<DocumentLimits> | undefined): DocumentLimits {
  return { ...DEFAULT_DOCUMENT_LIMITS, ...overrides };
}

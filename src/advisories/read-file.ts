/** Reads an advisory file, refusing an oversized one from its size on disk before reading a byte of it. */
import { open } from 'node:fs/promises';
import { type DocumentLimits, resolveLimits } from './limits.js';
import { AdvisoryRefusedError } from './problems.js';

export async function readAdvisoryFile(path: string, overrides?: Partial<DocumentLimits>): Promise<Buffer> {
  const limits = resolveLimits(overrides);
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    if (size > limits.maxBytes) {
      throw new AdvisoryRefusedError(path, [{ path: '$', message: `the file is ${size} bytes, more than the limit of ${limits.maxBytes} bytes; raise limits.maxBytes if this source is trusted` }]);
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

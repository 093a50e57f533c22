#!/usr/bin/env node
// The one executable. In a checkout (src/ present, tsx installed) it runs the TypeScript source, so the
// command never lags behind the code; in an installed package or the container it runs the compiled dist/.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = new URL('../', import.meta.url);
const fromSource = existsSync(fileURLToPath(new URL('src/interfaces/cli/main.ts', root)));
let main;
if (fromSource) {
  try {
    const { register } = await import('tsx/esm/api');
    register();
    main = new URL('src/interfaces/cli/main.ts', root).href;
  } catch {
    main = undefined;
  }
}
main ??= new URL('dist/interfaces/cli/main.js', root).href;
await import(main);

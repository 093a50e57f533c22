import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where the console's files are: `assets/` beside this module. In a checkout that is the source folder (run by
 * tsx); after `npm run build` it is `dist/interfaces/web/assets`, which the build copies there.
 */
export function consoleAssetDirectory(): string {
  const dir = fileURLToPath(new URL('./assets/', import.meta.url));
  if (!existsSync(dir)) {
    throw new Error(`the console's assets are missing at ${dir}; \`npm run build\` copies them from src/interfaces/web/assets`);
  }
  return dir;
}

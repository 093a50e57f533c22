import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody } from '../api/http-errors.js';
import { consoleAssetDirectory } from './asset-directory.js';
import { loadStaticAssets, type StaticAsset } from './static-assets.js';

/**
 * The console's pages are plain files under `assets/`, committed as written: no build step, nothing fetched from
 * another origin. The policy below forbids inline scripts and any third-party resource, so an injected string in a
 * record (a host name, a comment) can never become code.
 */
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
} as const;

export interface ConsolePluginOptions {
  /** Defaults to the `assets/` folder beside this module. */
  assetDir?: string;
}

/** Serves the console at `/console/` (and redirects `/` there). Every API route keeps its own path. */
export function consolePlugin(options: ConsolePluginOptions = {}): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    const assets = await loadStaticAssets(options.assetDir ?? consoleAssetDirectory());
    const serve = (request: FastifyRequest, reply: FastifyReply, path: string): FastifyReply => {
      const asset: StaticAsset | undefined = assets.get(path);
      if (asset === undefined) return reply.status(404).send(errorBody('not-found', `no console file ${path}`));
      void reply.headers({ ...SECURITY_HEADERS, etag: asset.etag, 'cache-control': 'no-cache' });
      // Revalidated on every load (no-cache + ETag): a new release is picked up at once, an unchanged file costs a 304.
      if (request.headers['if-none-match'] === asset.etag) return reply.status(304).send();
      return reply.type(asset.contentType).send(asset.body);
    };
    app.get('/', async (_request, reply) => reply.redirect('/console/'));
    app.get('/console', async (_request, reply) => reply.redirect('/console/'));
    app.get('/console/', async (request, reply) => serve(request, reply, 'index.html'));
    app.get('/console/*', async (request, reply) => serve(request, reply, (request.params as { '*': string })['*']));
  };
}

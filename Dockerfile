# syntax=docker/dockerfile:1
# redback-uptime: build the TypeScript once, ship only the compiled code and production dependencies.

# ---- build: compile src/ to dist/ with the dev dependencies ----
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: node, redis-server for the embedded default, an unprivileged user ----
FROM node:20-bookworm-slim AS runtime
# redis-server backs `redback serve` when no Redis URL is configured; openssh-client is not needed (ssh2 is pure JS).
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server tini \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system redback \
 && useradd --system --gid redback --home-dir /app --shell /usr/sbin/nologin redback
WORKDIR /app
ENV NODE_ENV=production \
    REDBACK_CONFIG=/config
COPY --from=build --chown=root:root /app/node_modules ./node_modules
COPY --from=build --chown=root:root /app/dist ./dist
COPY --chown=root:root package.json ./
COPY --chown=root:root bin ./bin
# The shipped playbooks and the example configuration; mount your own configuration at /config.
COPY --chown=root:root playbooks /config/playbooks
COPY --chown=root:root redback.yaml /config/redback.yaml
COPY --chown=root:root inventory /config/inventory
COPY --chown=root:root schedules /config/schedules
# Writable state (embedded Redis data, heartbeat) lives in /app/var, owned by the service user.
RUN mkdir -p /app/var && chown redback:redback /app/var
USER redback
VOLUME ["/app/var"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "bin/redback.js", "health", "--heartbeat", "/app/var/run/redback.heartbeat.json"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["node", "bin/redback.js", "serve", "--data-dir", "/app/var/redis", "--heartbeat", "/app/var/run/redback.heartbeat.json"]

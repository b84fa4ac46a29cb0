# syntax=docker/dockerfile:1
# Multi-stage: build (compilers for better-sqlite3's native addon + TypeScript), then a slim
# runtime with only production dependencies, running as a non-root user.

FROM node:20-bookworm AS build
WORKDIR /app
# better-sqlite3 compiles from source (its prebuilt download is not used): python3, make, g++
# come with the node:20-bookworm image.
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY connectors ./connectors
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    DEBRIEF_STORE_URL=sqlite:/data/debrief.db \
    DEBRIEF_PORT=8080
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The pages' static assets are served from the source tree (plain JS/CSS, not compiled).
COPY --from=build /app/src/web/public ./src/web/public
COPY --from=build /app/package.json ./package.json
# Starts node with the runtime settings the benchmark figures were measured with.
COPY bin ./bin
COPY config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s CMD node -e "fetch('http://127.0.0.1:8080/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["bin/debrief-server"]

import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  transpilePackages: [
    "@spellcast/api",
    "@spellcast/auth",
    "@spellcast/core",
    "@spellcast/db",
    "@spellcast/queue",
    "@spellcast/storage",
  ],
  // Bull Board resolves its UI (views, static files) from node_modules at run time: keep it and its
  // Hono adapter unbundled, with the same hono instance on both sides.
  serverExternalPackages: [
    "pino",
    "bullmq",
    "ioredis",
    "postgres",
    "@bull-board/api",
    "@bull-board/ui",
    "@bull-board/hono",
    "hono",
    "@hono/node-server",
  ],
  typescript: { ignoreBuildErrors: false },
  poweredByHeader: false,
};

export default config;

import type { NextConfig } from "next";

const config: NextConfig = {
  reactStrictMode: true,
  transpilePackages: [
    "@spellcast/api",
    "@spellcast/auth",
    "@spellcast/core",
    "@spellcast/db",
    "@spellcast/queue",
  ],
  serverExternalPackages: ["pino", "bullmq", "ioredis", "postgres"],
  typescript: { ignoreBuildErrors: false },
  poweredByHeader: false,
};

export default config;

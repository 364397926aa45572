// Creates .env from .env.example on first run (with a fresh auth secret) and loads it.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export function loadEnvFile(root, log = console.log) {
  const envPath = path.join(root, ".env");
  if (!existsSync(envPath)) {
    const example = readFileSync(path.join(root, ".env.example"), "utf8");
    const secret = randomBytes(32).toString("base64url");
    writeFileSync(envPath, example.replace(/^BETTER_AUTH_SECRET=.*$/m, `BETTER_AUTH_SECRET=${secret}`));
    log("created .env from .env.example with a fresh BETTER_AUTH_SECRET");
  }
  // Values already in the environment win over the file, as with any dotenv loader.
  process.loadEnvFile(envPath);
}

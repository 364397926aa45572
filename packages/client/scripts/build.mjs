// Builds the package for use outside the monorepo: dist/index.js (ESM, dependencies external)
// and one dist/index.d.ts in which the server's router type is printed out in full (see
// router-types.mjs), so a consumer needs only this package's own dependencies.
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";
import { rollup } from "rollup";
import { dts } from "rollup-plugin-dts";

import { writeRouterTypes } from "./router-types.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const dist = path.join(root, "dist");
const ownDeps = ["@trpc/client", "@trpc/server", "superjson", "eventsource"];
const routerTypes = path.join(root, ".build-types", "spellcast-api.d.ts");

rmSync(dist, { recursive: true, force: true });

await build({
  entryPoints: [path.join(root, "src/index.ts")],
  outfile: path.join(dist, "index.js"),
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  external: ownDeps,
  logLevel: "warning",
});

writeRouterTypes(root, routerTypes);
try {
  const bundle = await rollup({
    input: path.join(root, "src/index.ts"),
    external: (id) => ownDeps.some((dep) => id === dep || id.startsWith(`${dep}/`)),
    plugins: [
      // The only server import (types only) is swapped for the printed-out router type.
      { name: "spellcast-api-types", resolveId: (id) => (id === "@spellcast/api" ? routerTypes : null) },
      dts({ tsconfig: path.join(root, "tsconfig.json") }),
    ],
  });
  await bundle.write({ file: path.join(dist, "index.d.ts"), format: "es" });
  await bundle.close();
} finally {
  rmSync(path.dirname(routerTypes), { recursive: true, force: true });
}
console.log("built dist/index.js and dist/index.d.ts");

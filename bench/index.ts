// `npm run bench -- <name>`: runs one benchmark; its last stdout line is its JSON result.
const benches: Record<string, () => Promise<Record<string, unknown>>> = {
  ledger: async () => (await import("./ledger")).runLedgerBench(),
  events: async () => (await import("./events")).runEventsBench(),
  generations: async () => (await import("./generations")).runGenerationsBench(),
  captions: async () => (await import("./captions")).runCaptionsBench(),
  "caption-page": async () => (await import("./caption-page")).runCaptionPageBench(),
};

const names = process.argv.slice(2);
const unknown = names.filter((n) => !(n in benches));
if (names.length === 0 || unknown.length > 0) {
  console.error(`usage: npm run bench -- <${Object.keys(benches).join("|")}>${unknown.length ? ` (unknown: ${unknown.join(", ")})` : ""}`);
  process.exit(2);
}
const results: Record<string, unknown> = {};
for (const name of names) {
  const bench = benches[name];
  if (bench) Object.assign(results, await bench());
}
console.log(JSON.stringify(results));

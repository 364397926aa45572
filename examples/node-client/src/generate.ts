// Another app's view of Spellcast: create a generation with an API key, print its events as they
// arrive, then the result. Exit code 0 when the image is ready, 1 when the generation failed
// (the provider's message and the refund are printed), 2 on a client error (bad key, no credits…).
//
//   SPELLCAST_URL=http://localhost:3000 SPELLCAST_API_KEY=sc_… PROMPT="a lighthouse at dusk" npm start
import { createSpellcastClient, TRPCClientError } from "@spellcast/client";
import type { SessionEvent } from "@spellcast/client";

const url = process.env.SPELLCAST_URL ?? "http://localhost:3000";
const apiKey = process.env.SPELLCAST_API_KEY;
const prompt = process.env.PROMPT ?? "a lighthouse at dusk, watercolor";
const timeoutMs = Number(process.env.TIMEOUT_MS ?? 120_000);

if (!apiKey) {
  console.error("Set SPELLCAST_API_KEY to an API key (sc_…) from the API keys page.");
  process.exit(2);
}

const spellcast = createSpellcastClient({ url, apiKey });

function describe(event: SessionEvent): string {
  if (event.type === "progress") return `progress ${JSON.stringify(event.progress)}`;
  const session = event.payload.session;
  const status = typeof session === "object" && session !== null && "status" in session ? ` (${String(session.status)})` : "";
  return `#${event.id} ${event.type}${status}`;
}

async function main(): Promise<number> {
  // Taken before creating, so every event of the new session is printed however fast it ends.
  const after = await spellcast.cursor();
  const session = await spellcast.generate({ prompt, params: { size: "512x512" } });
  console.log(`created session ${session.id}: ${session.status}, cost ${session.cost} credits`);

  const done = await spellcast.waitFor(session.id, {
    after,
    timeoutMs,
    onEvent: (event) => console.log(`event ${describe(event)}`),
  });

  if (done.status === "completed") {
    console.log(`completed: image at ${url}/api/images/${done.id}`);
    return 0;
  }
  if (done.status === "failed" && done.errorDetails) {
    const details = done.errorDetails;
    console.log(`failed: provider status ${details.providerStatus ?? "none"}: ${details.providerMessage}`);
    console.log(
      `refund: ${details.refundedCredits} of ${details.reservationAmount} credits returned` +
        (details.refundedAt ? ` at ${details.refundedAt}` : "") +
        (details.refundError ? ` (refund pending: ${details.refundError})` : ""),
    );
    return 1;
  }
  console.log(`ended: ${done.status}`);
  return 1;
}

try {
  process.exitCode = await main();
} catch (err) {
  if (err instanceof TRPCClientError) {
    console.error(`request refused: ${err.data?.code ?? "error"}: ${err.message}`);
  } else {
    console.error(err);
  }
  process.exitCode = 2;
}

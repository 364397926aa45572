// Compile-time only (never run): proves the published types carry the server's router, not `any`.
// Each @ts-expect-error fails the build if the line it marks stops being a type error.
import type { RouterOutputs, SpellcastClient, TerminalSession } from "@spellcast/client";

export async function typeChecks(spellcast: SpellcastClient): Promise<void> {
  // @ts-expect-error prompt must be a string
  await spellcast.generate({ prompt: 42 });
  // @ts-expect-error unknown size
  await spellcast.generate({ prompt: "x", params: { size: "9x9" } });
  // @ts-expect-error generations.get takes { id }
  await spellcast.trpc.generations.get.query({ sessionId: "x" });
  // @ts-expect-error no such procedure
  await spellcast.trpc.generations.nope.query();

  const done: TerminalSession = await spellcast.waitFor("id");
  const status: "completed" | "failed" | "canceled" = done.status;
  const message: string | undefined = done.errorDetails?.providerMessage;
  const balance: RouterOutputs["credits"]["balance"] = await spellcast.trpc.credits.balance.query();
  const available: number = balance.available;
  // @ts-expect-error balance has no such field
  void balance.nope;
  void [status, message, available];
}

import { healthResponse } from "@spellcast/api";

import { services } from "~/server/services";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** 200 when Postgres, Redis and a worker all answer; 503 naming what is down. */
export async function GET() {
  return healthResponse(await services().apiDeps.checkHealth());
}

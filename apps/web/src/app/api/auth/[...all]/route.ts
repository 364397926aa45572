import { toNextJsHandler } from "@spellcast/auth/next";

import { services } from "~/server/services";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

export const GET = (req: Request) => toNextJsHandler(services().auth).GET(req);
export const POST = (req: Request) => toNextJsHandler(services().auth).POST(req);

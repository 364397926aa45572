import { gateAdminRequest } from "~/server/admin-request-gate";
import { BULL_BOARD_BASE_PATH, bullBoard } from "~/server/bull-board";
import { services } from "~/server/services";

// Bull Board reads its UI from disk and talks to Redis: Node only, never prerendered.
export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const API_PREFIX = `${BULL_BOARD_BASE_PATH}/api`;
const STATIC_PREFIX = `${BULL_BOARD_BASE_PATH}/static/`;

/**
 * Every request under /admin/queues (page, static assets, API) is checked here, before Bull Board
 * sees it, so no middleware matcher can leave a path open.
 */
async function handler(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const isApi = url.pathname === API_PREFIX || url.pathname.startsWith(`${API_PREFIX}/`);
  const isPage = (req.method === "GET" || req.method === "HEAD") && !isApi && !url.pathname.startsWith(STATIC_PREFIX);
  const gate = await gateAdminRequest(req, { isPage, nextPath: `${url.pathname}${url.search}` });
  if (!gate.ok) return gate.response;

  if (req.method !== "GET" && req.method !== "HEAD") {
    // The audit trail of operator actions (retry, remove, clean, pause…), with who did it.
    const { id, email, via } = gate.caller;
    services().logger.info({ adminId: id, adminEmail: email, via, method: req.method, path: url.pathname }, "bull_board.action");
  }
  return bullBoard().fetch(req);
}

export { handler as DELETE, handler as GET, handler as HEAD, handler as PATCH, handler as POST, handler as PUT };

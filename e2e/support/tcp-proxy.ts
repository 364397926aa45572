import { startTcpGate } from "../../tooling/test/tcp-gate";

/**
 * A TCP proxy on 127.0.0.1 in front of the web server, so a test can cut every open connection
 * (the SSE stream included) and, while "down", answer new connections with a 502 the way a load
 * balancer with no backend does (an EventSource gives up on a non-200; the client must reopen).
 */
export async function startTcpProxy(target: URL) {
  const gate = await startTcpGate(
    { host: target.hostname, port: Number(target.port) },
    { refuse: (client) => client.end("HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\nconnection: close\r\n\r\n") },
  );
  return {
    url: `http://127.0.0.1:${gate.port}`,
    connections: gate.connections,
    /** Destroys every open connection; with `stayDown`, new ones get a 502 until `restore()`. */
    cut(stayDown = false) {
      gate.shut();
      if (!stayDown) gate.open();
    },
    restore: gate.open,
    close: gate.close,
  };
}

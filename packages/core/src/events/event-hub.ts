import { EVENTS_CHANNEL } from "./append-event";
import type { EphemeralStreamEvent } from "./schema";

/** The part of a postgres-js `sql` the hub uses (structural, so core needs no driver import). */
export interface ListenSql {
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onListen?: () => void,
  ): Promise<{ unlisten: () => Promise<void> }>;
}

/** The part of a pino logger the hub uses. */
export interface HubLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface CreateEventHubOptions {
  /**
   * postgres-js instance to LISTEN on. postgres-js opens one dedicated connection for all LISTENs
   * of an instance (it carries that instance's application_name) and re-issues LISTEN after the
   * connection drops. The hub never ends this instance: its owner does, after `close()`.
   */
  sql: ListenSql;
  logger: HubLogger;
  channel?: string;
}

export interface EventHub {
  /**
   * Registers a live subscriber for one user and starts the hub on first use. `wake` is called
   * (synchronously, from the notification handler) whenever that user's log may have grown, and
   * for every subscriber after the LISTEN connection was re-established (notifications may have
   * been lost meanwhile) and on `close()`. It must only set a flag; the subscriber re-reads the
   * table. Returns the unsubscribe function (idempotent).
   */
  subscribe(userId: string, wake: () => void, onEphemeral?: (event: EphemeralStreamEvent) => void): () => void;
  /**
   * Resolves once LISTEN is active (starting it if needed); rejects when it could not be started
   * (the next call tries again). A subscriber awaits this after `subscribe` and before its first
   * read, so no commit falls between its read and the listening connection.
   */
  ready(): Promise<void>;
  /**
   * Extension point for live-only data (e.g. BullMQ progress): delivered at once to this user's
   * subscribers in this process, never stored or replayed. Returns how many subscribers got it.
   */
  publishEphemeral(userId: string, event: EphemeralStreamEvent): number;
  /** True after `close()`: subscribers should end their streams (the client reconnects elsewhere). */
  readonly closed: boolean;
  /** Wakes every subscriber (they see `closed`), forgets them and UNLISTENs. Idempotent. */
  close(): Promise<void>;
  stats(): { users: number; subscribers: number; listening: boolean; listens: number };
}

interface Subscriber {
  wake: () => void;
  onEphemeral: ((event: EphemeralStreamEvent) => void) | undefined;
}

/** One LISTEN connection per process, fanned out per user. Creates nothing until first use. */
export function createEventHub({ sql, logger, channel = EVENTS_CHANNEL }: CreateEventHubOptions): EventHub {
  const byUser = new Map<string, Set<Subscriber>>();
  let starting: Promise<void> | null = null;
  let unlisten: (() => Promise<void>) | null = null;
  let listens = 0;
  let closed = false;

  const call = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      logger.error({ err }, "events.hub.subscriber.failed");
    }
  };
  const wakeAll = () => {
    for (const subs of byUser.values()) for (const s of subs) call(s.wake);
  };

  const onNotify = (userId: string) => {
    if (closed) return;
    const subs = byUser.get(userId);
    if (subs) for (const s of subs) call(s.wake);
  };

  const onListen = () => {
    listens++;
    if (closed) return;
    // After the first LISTEN, postgres-js calls this again each time it re-LISTENs on a new
    // connection: anything notified in between is lost, so every subscriber re-reads the table
    // from its own cursor. (On the first call only subscribers that joined before LISTEN was up
    // are woken, for one redundant read.)
    if (listens > 1) logger.warn({ channel, listens, subscribers: countSubscribers() }, "events.listener.reconnected");
    wakeAll();
  };

  const countSubscribers = () => {
    let n = 0;
    for (const subs of byUser.values()) n += subs.size;
    return n;
  };

  function start(): Promise<void> {
    if (closed) return Promise.reject(new Error("event hub closed"));
    starting ??= sql.listen(channel, onNotify, onListen).then(
      (meta) => {
        unlisten = meta.unlisten;
        logger.info({ channel }, "events.listener.started");
      },
      (err: unknown) => {
        starting = null;
        logger.error({ err, channel }, "events.listener.start.failed");
        throw err;
      },
    );
    return starting;
  }

  return {
    subscribe(userId, wake, onEphemeral) {
      if (closed) throw new Error("event hub closed");
      const sub: Subscriber = { wake, onEphemeral };
      let subs = byUser.get(userId);
      if (!subs) byUser.set(userId, (subs = new Set()));
      subs.add(sub);
      // Failure is logged in start() and surfaces to the subscriber through ready().
      start().catch(() => undefined);
      return () => {
        const current = byUser.get(userId);
        if (!current) return;
        current.delete(sub);
        if (current.size === 0) byUser.delete(userId);
      };
    },
    ready: start,
    publishEphemeral(userId, event) {
      if (closed) return 0;
      const subs = byUser.get(userId);
      if (!subs) return 0;
      let n = 0;
      for (const s of subs) {
        const deliver = s.onEphemeral;
        if (deliver) {
          call(() => deliver(event));
          n++;
        }
      }
      return n;
    },
    get closed() {
      return closed;
    },
    async close() {
      if (closed) return;
      closed = true;
      wakeAll();
      byUser.clear();
      const pending = starting;
      if (!pending) return;
      await pending.catch(() => undefined);
      // postgres-js 3.4.9 forgets this handle after it re-LISTENs on a new connection (the unlisten
      // becomes a no-op); `closed` already mutes the callbacks, and ending the sql ends the LISTEN.
      await unlisten?.();
      logger.info({ channel }, "events.listener.stopped");
    },
    stats: () => ({ users: byUser.size, subscribers: countSubscribers(), listening: unlisten !== null && !closed, listens }),
  };
}

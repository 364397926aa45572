import type { Sql } from "postgres";

/*
 * Drizzle runs every builder query through postgres-js with `prepare: false`. For a query with
 * parameters postgres-js then sends Parse+Describe, waits for the parameter types, and only then
 * Bind+Execute: two round trips per statement, and nothing else can be pipelined on that
 * connection meanwhile. A prepared statement is described once per connection; after that each
 * run is one round trip and statements issued together go out together.
 *
 * Statement texts are prepared up to `maxStatements` distinct texts per process (each connection
 * keeps the ones it ran, and so does its Postgres backend); texts past the cap — a batch insert of
 * an unusual size — run unprepared as before.
 */
export function preparingClient(sql: Sql, maxStatements = 1_000): Sql {
  const prepared = new Set<string>();
  const shouldPrepare = (text: string) => {
    if (prepared.has(text)) return true;
    if (prepared.size >= maxStatements) return false;
    prepared.add(text);
    return true;
  };
  return wrap(sql, shouldPrepare);
}

type Unsafe = Sql["unsafe"];
type Begin = (...args: unknown[]) => Promise<unknown>;

function wrap<T extends Sql>(target: T, shouldPrepare: (text: string) => boolean): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      if (prop === "unsafe") {
        const unsafe: Unsafe = (query, params, options) => obj.unsafe(query, params, { ...options, prepare: shouldPrepare(query) });
        return unsafe;
      }
      if (prop === "begin" || prop === "savepoint") {
        const original = Reflect.get(obj, prop, obj) as Begin;
        // The transaction's own client (the callback's argument) must prepare too.
        return (...args: unknown[]) => {
          const fn = args.at(-1);
          if (typeof fn !== "function") return original.apply(obj, args);
          return original.apply(obj, [...args.slice(0, -1), (tx: Sql) => (fn as (tx: Sql) => unknown)(wrap(tx, shouldPrepare))]);
        };
      }
      return Reflect.get(obj, prop, receiver) as unknown;
    },
  });
}

// A TCP proxy between a process and PostgreSQL that counts the statements it sends: each
// simple-protocol `Query` ('Q') and each extended-protocol `Execute` ('E') message is one.
// It also keeps the SQL text of each (from 'Q', or from the 'P' Parse that named it), so the
// bench's raw results show what a workload runs. Only the client's direction is parsed; the
// server's answers pass untouched. Used by test/http/statement-counts.test.ts and the bench.
import { startTcpProxy } from './tcp-proxy.js';

export interface StatementCounter {
  port: number;
  /** Statements since the last reset, and their SQL in order. */
  take(): { count: number; sql: string[] };
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;

/**
 * Reads PostgreSQL frontend messages from one client connection, calling `onMessage` for each.
 * A connection starts with a startup packet; messages handed to PGlite do not (`startup: false`).
 */
export function frontendParser(
  onMessage: (type: string, body: Buffer) => void,
  options = { startup: true },
): (chunk: Buffer) => void {
  let pending: Buffer = Buffer.alloc(0);
  let startup = options.startup;
  return (chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    for (;;) {
      if (startup) {
        // The startup packet (and an SSL or GSS request before it) has no type byte.
        if (pending.length < 8) return;
        const length = pending.readInt32BE(0);
        if (pending.length < length) return;
        const code = pending.readInt32BE(4);
        startup = code === SSL_REQUEST || code === GSS_REQUEST;
        pending = pending.subarray(length);
        continue;
      }
      if (pending.length < 5) return;
      const length = pending.readInt32BE(1);
      if (pending.length < 1 + length) return;
      onMessage(String.fromCharCode(pending[0] ?? 0), pending.subarray(5, 1 + length));
      pending = pending.subarray(1 + length);
    }
  };
}

const cString = (body: Buffer, from = 0): string => body.toString('utf8', from, body.indexOf(0, from));

/**
 * The statements among one connection's messages: `record` gets the SQL of each. Execute names
 * a portal, Bind a portal and its statement, Parse a statement and its SQL (a named statement
 * is parsed once per connection, then only bound and executed).
 */
export function statementRecorder(record: (sql: string) => void): (type: string, body: Buffer) => void {
  const statements = new Map<string, string>();
  const portals = new Map<string, string>();
  return (type, body) => {
    if (type === 'Q') {
      record(cString(body));
    } else if (type === 'P') {
      statements.set(cString(body), cString(body, body.indexOf(0) + 1));
    } else if (type === 'B') {
      portals.set(cString(body), statements.get(cString(body, body.indexOf(0) + 1)) ?? '');
    } else if (type === 'E') {
      record(portals.get(cString(body)) ?? '');
    }
  };
}

export async function countStatements(target: { host: string; port: number }): Promise<StatementCounter> {
  let sql: string[] = [];
  const proxy = await startTcpProxy(target, () => frontendParser(statementRecorder((text) => sql.push(text))));
  return {
    port: proxy.port,
    take() {
      const taken = { count: sql.length, sql };
      sql = [];
      return taken;
    },
    close: () => proxy.close(),
  };
}

// The part of autocannon 8's programmatic API the load generator uses (its README, "API"); the
// published @types/autocannon describe version 7, which takes one url only.
declare module 'autocannon' {
  interface Request {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string;
    setupRequest?: (request: Request) => Request;
    onResponse?: (status: number, body: string) => void;
  }
  interface Options {
    url: string | string[];
    connections: number;
    pipelining: number;
    /** Seconds; `duration` too, ignored with `amount`. */
    timeout: number;
    /** Milliseconds between samples; a stop() takes effect at the next one. */
    sampleInt: number;
    duration: number;
    amount?: number;
    requests: Request[];
    skipAggregateResult: boolean;
  }
  interface Instance {
    stop(): void;
    on(event: 'response', listener: (client: unknown, status: number, bytes: number, ms: number) => void): this;
    on(event: 'reqError', listener: (error: Error) => void): this;
  }
  export default function autocannon(options: Options, done: (error: unknown) => void): Instance;
}

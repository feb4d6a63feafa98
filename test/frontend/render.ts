// Rendering a hook or a component with React in the test's DOM (jsdom), inside a
// QueryClientProvider, without a testing library: what the frontend tests share.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, createElement, type ReactNode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { vi } from 'vitest';

// React checks act() only in an environment that says it is a test; off while waiting for the
// network (as Testing Library's waitFor does), when updates rightly come outside act().
const environment = globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean };
environment.IS_REACT_ACT_ENVIRONMENT = true;

/** Retries `check` until it passes, while responses update the page on their own. */
export async function waitFor(check: () => void): Promise<void> {
  environment.IS_REACT_ACT_ENVIRONMENT = false;
  try {
    await vi.waitFor(check);
  } finally {
    environment.IS_REACT_ACT_ENVIRONMENT = true;
  }
}

/** A cache that never retries, so a problem shows at once. */
export const testQueryClient = (): QueryClient =>
  new QueryClient({ defaultOptions: { queries: { retry: false }, mutations: { retry: false } } });

export type Rendered = { container: HTMLElement; unmount(): Promise<void> };

export async function render(node: ReactNode, queryClient: QueryClient): Promise<Rendered> {
  const container = document.createElement('div');
  document.body.append(container);
  const root: Root = createRoot(container);
  await act(async () => root.render(createElement(QueryClientProvider, { client: queryClient }, node)));
  return {
    container,
    unmount: async () => {
      await act(async () => root.unmount());
      container.remove();
    },
  };
}

/** Calls its hook on every render and keeps what it returned. */
function Probe<T>({ hook, result }: { hook: () => T; result: { current?: T } }): null {
  result.current = hook();
  return null;
}

/** Renders `hook` in a component; `current` is what it returned on the latest render. */
export async function renderHook<T>(hook: () => T, queryClient: QueryClient): Promise<{ current: T } & Rendered> {
  const result = {} as { current: T };
  return Object.assign(result, await render(createElement(Probe<T>, { hook, result }), queryClient));
}

// Live updates: the index API's event stream (GET /v1/stream) sends every newly indexed
// event; each one marks every cached query stale, so the visible page refetches. The
// browser's EventSource reconnects by itself after a drop.
import type { QueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';

export type LiveState = { connected: boolean; lastEvent: string | null };

export function useLiveUpdates(client: QueryClient): LiveState {
  const [state, setState] = useState<LiveState>({ connected: false, lastEvent: null });
  useEffect(() => {
    const source = new EventSource('/v1/stream');
    source.addEventListener('ready', () => setState((s) => ({ ...s, connected: true })));
    source.addEventListener('event', (message) => {
      const event = JSON.parse((message as MessageEvent<string>).data) as { name: string; blockNumber: number };
      setState({ connected: true, lastEvent: `${event.name} in block ${event.blockNumber}` });
      void client.invalidateQueries();
    });
    source.addEventListener('error', () => setState((s) => ({ ...s, connected: false })));
    return () => source.close();
  }, [client]);
  return state;
}

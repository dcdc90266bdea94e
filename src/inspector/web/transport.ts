/**
 * Where the page's requests go: the inspector server over a WebSocket, or —
 * in an exported trace opened from disk (`memhp inspect <log> --export`) — the
 * engine bundled into the page itself, which answers the same protocol
 * (src/inspector/trace). The trace's engine script runs before this module
 * and leaves its backend on `globalThis.memhpTrace`.
 */
import type { Method, Push, RequestMap } from '../protocol.ts';
import { Api } from './rpc.ts';

/** What the page needs of a connection: Api's public face. */
export interface Transport {
  call<M extends Method>(method: M, params: RequestMap[M]['params']): Promise<RequestMap[M]['result']>;
  onPush: (p: Push) => void;
  onClose: () => void;
}

declare global {
  // eslint-disable-next-line no-var
  var memhpTrace: { connect(): Transport; readonly note: string } | undefined;
}

/** True in an exported trace: no server, the log is read-only. */
export const inTrace = (): boolean => globalThis.memhpTrace !== undefined;

export function connect(): Api {
  // Api's private fields make it nominal; the trace's transport has the same public methods
  return (globalThis.memhpTrace?.connect() as Api | undefined) ?? new Api(`ws://${location.host}/ws`);
}

/**
 * The inspector's protocol answered inside the page: each request is checked
 * by the server's own validator and answered by the server's own Rpc over an
 * EngineBackend built from the trace's events — the code `memhp inspect`
 * runs, bundled for the browser. Results go through JSON as they would over
 * the WebSocket, so the page sees the same plain data.
 * The trace is read-only: `apply` (and with it forking) is refused.
 */
import type { BranchInfo, InspectorBackend, InspectorInfo } from '../../backend.ts';
import type { Method, Push, RequestMap } from '../../protocol.ts';
import { Rpc } from '../../server/rpc.ts';
import { requestSchema } from '../../server/validate.ts';

export const READ_ONLY = 'this is an exported trace, read-only: to try operations, run `memhp inspect` on its log';

export class PageApi {
  onPush: (p: Push) => void = () => {};
  onClose: () => void = () => {};
  private nextId = 1;
  private rpc: Promise<Rpc>;

  /** `label`: what the page shows where a log's path goes (the exported file's source, read-only). */
  constructor(backend: Promise<InspectorBackend>, private readonly label: Promise<string>) {
    this.rpc = backend.then((b) => new Rpc(b));
  }

  /** The trace is no live system and has no log file: the page says what it is instead. */
  private async relabel(info: InspectorInfo): Promise<InspectorInfo> {
    return { ...info, live: false, logPath: await this.label };
  }

  async call<M extends Method>(method: M, params: RequestMap[M]['params']): Promise<RequestMap[M]['result']> {
    const rpc = await this.rpc;
    if (method === 'apply') throw new Error(READ_ONLY);
    const parsed = requestSchema.safeParse({ id: this.nextId++, method, params });
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(`${issue.path.length ? `$.${issue.path.join('.')}` : '$'}: ${issue.message}`);
    }
    // a task boundary, as a reply over the socket would be: the page's scheduling expects one
    await new Promise((r) => setTimeout(r, 0));
    let result = JSON.parse(JSON.stringify(await rpc.handle(parsed.data))) as unknown;
    if (method === 'info' || method === 'selectBranch') result = await this.relabel(result as InspectorInfo);
    if (method === 'branches') {
      const label = await this.label;
      result = (result as BranchInfo[]).map((b) => ({ ...b, logPath: label }));
    }
    return result as RequestMap[M]['result'];
  }
}

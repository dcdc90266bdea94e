/** The inspector page: wires the panels to one cursor (the selected step). */
import type { Breakpoint, EventFilter, InspectorInfo, MachineDefinition } from '../backend.ts';
import type { MemhpEvent } from '../../engine/events.ts';
import { opLine } from '../event-text.ts';
import { Api, latestOnly } from './rpc.ts';
import { MemoryMap, mapLegend } from './map.ts';
import { Timeline } from './timeline.ts';
import { AccountingPlot } from './plot.ts';
import { drawStatechart } from './chart.ts';
import { showActor, showDiff, showEvent, showInvariants, showStepContext } from './panels.ts';
import { COMMAND_HELP, parseCommand } from './command.ts';
import { bytes, el } from './format.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const api = new Api(`ws://${location.host}/ws`);
let info: InspectorInfo;
let cursor = 0;
let machines: MachineDefinition[] = [];
let actor: string | null = null;
const matchBreakpoints: EventFilter[] = [];
let playing: { timer: number; target: number } | null = null;

const status = (text: string, error = false) => {
  const s = $('status');
  s.textContent = text;
  s.className = error ? 'error' : '';
  // an error also goes to a banner: the status line is short and easy to miss
  if (error) banner(text);
};

function banner(text: string): void {
  const b = $('banner');
  b.hidden = false;
  b.textContent = text;
  const close = el('button', { type: 'button', title: 'dismiss' }, '×');
  close.addEventListener('click', () => { b.hidden = true; });
  b.append(' ', close);
}

const map = new MemoryMap($<HTMLCanvasElement>('map'), $('map-detail'), $('map-summary'));
const timeline = new Timeline(api, $('rows'), $<HTMLInputElement>('rows-scroll'), $('row-count'), $('rows-empty'));
const plot = new AccountingPlot($<HTMLCanvasElement>('plot'), $('plot-legend'));
const scrubber = $<HTMLInputElement>('scrubber');

const loadFrame = latestOnly((seq: number) => api.call('frame', { seq }), (f) => {
  map.setFrame(f);
  mapLegend($('map-legend'), f.nodes.map((n) => n.id));
  renderQuick();
}, (e) => status(e.message, true));

const loadDetails = latestOnly(
  async (seq: number) => {
    const [events, step] = await Promise.all([
      seq > 0 ? api.call('events', { from: seq, to: seq }) : Promise.resolve([] as MemhpEvent[]),
      api.call('diff', { seq }),
    ] as const);
    // An op event shows its whole operation, so its invariants are those after the operation.
    const invSeq = events[0]?.type === 'op' ? step.opEnd : seq;
    const inv = await api.call('invariants', { seq: invSeq });
    // A break in the middle of an operation may be the kernel's own transient state: compare with the op's end.
    const midOp = step.opEnd !== invSeq && inv.some((i) => !i.holds && !i.skipped);
    const atOpEnd = midOp ? { seq: step.opEnd, results: await api.call('invariants', { seq: step.opEnd }) } : null;
    return { events, step, inv, invSeq, atOpEnd };
  },
  ({ events, step, inv, invSeq, atOpEnd }, seq) => {
    const e = events[0];
    showEvent($('event-title'), e, seq);
    showStepContext($('step-op'), step, (s) => setCursor(s));
    showDiff($('diff'), step.changes, e?.type === 'op');
    showInvariants($('invariants'), inv, atOpEnd);
    $('inv-at').textContent = invSeq === seq ? `at seq ${seq}` : `after the operation (seq ${invSeq})`;
    if (e?.type === 'transition') actor = e.actor;
    else if (e?.type === 'fault') actor = `memory${e.block}`;
    loadActor({ actor: actor ?? '', seq });
  },
  (e) => status(e.message, true),
);

const loadActor = latestOnly(
  async (q: { actor: string; seq: number }) => (q.actor ? api.call('actor', q) : null),
  (a, q) => {
    $('actor-name').textContent = a ? `${a.actor} · ${a.state ?? 'not yet moved'}` : '';
    if (!a) {
      $('chart').replaceChildren(el('p', {}, 'Click a block on the map, or a transition row in the timeline, to see its state machine, context and history here.'));
      $('actor-context').textContent = '';
      $('actor-history').replaceChildren();
      return;
    }
    const def = machines.find((m) => m.name === a.machine) ?? machines.find((m) => a.actor.startsWith(m.name.split('_')[0]!));
    if (def) drawStatechart($('chart'), def.definition, a.state, a.last && a.last.seq === q.seq ? { from: a.last.from, to: a.last.to, event: a.last.event.type } : a.last ? { from: a.last.from, to: a.last.to, event: a.last.event.type } : null);
    else $('chart').replaceChildren(el('p', {}, `no statechart for ${a.actor}`));
    showActor($('actor-context'), $('actor-history'), a, q.seq, (s) => setCursor(s));
  },
  (e) => status(e.message, true),
);

function setCursor(seq: number): void {
  cursor = Math.max(0, Math.min(info.lastSeq, seq));
  scrubber.value = String(cursor);
  $('seq-label').textContent = `seq ${cursor} / ${info.lastSeq}`;
  plot.cursor = cursor;
  plot.draw();
  loadFrame(cursor);
  loadDetails(cursor);
  void timeline.reveal(cursor);
}

function breakpoints(): Breakpoint[] {
  return [
    ...[...timeline.seqBreakpoints].map((seq): Breakpoint => ({ kind: 'seq', seq })),
    ...matchBreakpoints.map((filter): Breakpoint => ({ kind: 'match', filter })),
  ];
}

function renderBreakpoints(): void {
  const items = breakpoints().map((bp, i) => {
    const li = el('li', {}, bp.kind === 'seq' ? `at seq ${bp.seq}` : `on ${Object.entries(bp.filter).map(([k, v]) => `${k}=${v}`).join(' ')}`);
    const x = el('button', { title: 'remove breakpoint' }, '×');
    x.addEventListener('click', () => {
      if (bp.kind === 'seq') timeline.toggleBreakpoint(bp.seq);
      else { matchBreakpoints.splice(i - timeline.seqBreakpoints.size, 1); renderBreakpoints(); }
    });
    li.append(x);
    return li;
  });
  $('bp-list').replaceChildren(...items);
}
timeline.onBreakpointsChanged = renderBreakpoints;

async function continueTo(direction: 'forward' | 'backward'): Promise<void> {
  stopPlaying();
  const hit = await api.call('continue', { from: cursor, direction, breakpoints: breakpoints() });
  if (hit === null) status(direction === 'forward' ? 'no breakpoint ahead' : 'no breakpoint behind');
  else { status(`stopped at breakpoint, seq ${hit}`); setCursor(hit); }
}

function stopPlaying(): void {
  if (!playing) return;
  clearInterval(playing.timer);
  playing = null;
  $('play').textContent = '▶ play';
}

async function play(): Promise<void> {
  if (playing) return stopPlaying();
  const hit = await api.call('continue', { from: cursor, direction: 'forward', breakpoints: breakpoints() });
  const target = hit ?? info.lastSeq;
  $('play').textContent = '⏸ pause';
  playing = {
    target,
    timer: window.setInterval(() => {
      if (!playing || cursor >= playing.target) {
        if (hit !== null && cursor === hit) status(`stopped at breakpoint, seq ${hit}`);
        return stopPlaying();
      }
      setCursor(cursor + 1);
    }, 150),
  };
}

function renderQuick(): void {
  const box = $('live-quick');
  const detail = $('map-detail').textContent ?? '';
  const m = /^memory(\d+) @ (0x[0-9a-f]+)/.exec(detail);
  if (!m) { box.replaceChildren(); return; }
  const blockSize = bytes(info.system.machine.memoryBlockSize ?? Number(map_blockBytes()));
  const cmds = [`online ${m[1]}`, `offline ${m[1]}`, `remove ${m[2]} ${blockSize}`];
  box.replaceChildren(...cmds.map((c) => {
    const b = el('button', { type: 'button' }, c);
    b.addEventListener('click', () => { ($('live-cmd') as HTMLInputElement).value = c; });
    return b;
  }));
}
function map_blockBytes(): number {
  const c = $('map');
  return Number(c.dataset.blockPages ?? 0) * 4096;
}

async function sendCommand(line: string): Promise<void> {
  const out = $('live-result');
  try {
    const op = parseCommand(line);
    const r = await api.call('apply', { op, atSeq: cursor });
    info = r.info;
    out.className = r.ok ? '' : 'bad';
    out.textContent = opLine({ op, ret: r.ret, errno: r.errno })
      + (r.message ? `\n${r.message}` : '')
      + (r.forkedLogPath ? `\nforked a new log at seq ${cursor}: ${r.forkedLogPath}` : '');
    onInfo();
    setCursor(info.lastSeq);
    void reloadAccounting();
  } catch (e) {
    out.className = 'bad';
    out.textContent = (e as Error).message;
  }
}

function onInfo(): void {
  $('log-name').textContent = `${info.name}${info.logPath ? ' · ' + info.logPath : ''}${info.live ? ' · live' : ''}`;
  scrubber.max = String(info.lastSeq);
  $('seq-label').textContent = `seq ${cursor} / ${info.lastSeq}`;
  timeline.refresh();
}

async function reloadAccounting(): Promise<void> {
  plot.setData(await api.call('accounting', { points: 600 }), info.lastSeq);
}

function readFilter(): EventFilter {
  const f: EventFilter = {};
  const actorText = ($('f-actor') as HTMLInputElement).value.trim();
  const type = ($('f-type') as HTMLSelectElement).value;
  const text = ($('f-text') as HTMLInputElement).value.trim();
  if (actorText) f.actor = actorText;
  if (type) f.type = type as EventFilter['type'];
  if (text) f.text = text;
  return f;
}

async function main(): Promise<void> {
  info = await api.call('info', {});
  machines = await api.call('machines', {});
  onInfo();
  $('live-cmd').title = COMMAND_HELP.join('\n');
  timeline.onPick = (seq) => setCursor(seq);
  plot.onPick = (seq) => setCursor(seq);
  map.onSelect = (id) => { actor = `memory${id}`; loadActor({ actor, seq: cursor }); renderQuick(); };
  scrubber.addEventListener('input', () => { stopPlaying(); setCursor(Number(scrubber.value)); });
  $('to-start').addEventListener('click', () => { stopPlaying(); setCursor(0); });
  $('back').addEventListener('click', () => { stopPlaying(); setCursor(cursor - 1); });
  $('fwd').addEventListener('click', () => { stopPlaying(); setCursor(cursor + 1); });
  $('to-end').addEventListener('click', () => { stopPlaying(); setCursor(info.lastSeq); });
  $('play').addEventListener('click', () => void play());
  $('bp-continue').addEventListener('click', () => void continueTo('forward'));
  $('bp-back').addEventListener('click', () => void continueTo('backward'));
  $('bp-filter').addEventListener('click', () => {
    const f = readFilter();
    if (!f.actor && !f.type && !f.text) return status('set a filter first (actor, type or text)', true);
    matchBreakpoints.push(f);
    renderBreakpoints();
  });
  let debounce = 0;
  for (const id of ['f-actor', 'f-type', 'f-text']) {
    $(id).addEventListener('input', () => {
      clearTimeout(debounce);
      debounce = window.setTimeout(() => void timeline.setFilter(readFilter()), 200);
    });
  }
  $('plot-mode').addEventListener('change', () => { plot.mode = ($('plot-mode') as HTMLSelectElement).value as 'nodes' | 'zones'; plot.draw(); });
  $('live-form').addEventListener('submit', (e) => { e.preventDefault(); void sendCommand(($('live-cmd') as HTMLInputElement).value); });
  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement;
    if (e.key === 'Escape' && (t.tagName === 'INPUT' || t.tagName === 'SELECT')) { $('rows').focus(); return; }
    // text boxes keep their caret keys; the scrubber moves the cursor itself
    if (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA') return;
    const keys: Record<string, () => number> = { ArrowLeft: () => cursor - 1, ArrowRight: () => cursor + 1, Home: () => 0, End: () => info.lastSeq };
    const to = keys[e.key];
    if (!to) return;
    e.preventDefault();
    stopPlaying();
    setCursor(to());
  });
  api.onPush = (p) => {
    const atEnd = cursor === info.lastSeq;
    info = p.info;
    onInfo();
    void reloadAccounting();
    if (atEnd) setCursor(info.lastSeq);
  };
  api.onClose = () => status('Disconnected from the inspector server: is `memhp inspect` still running? Restart it and reload this page.', true);
  await reloadAccounting();
  // Open on the booted machine (the end of the boot op); seq 0, before boot, is an empty map.
  const boot = info.lastSeq > 0 ? await api.call('diff', { seq: 0 }) : null;
  setCursor(boot ? boot.opEnd : 0);
  status('ready');
  document.body.dataset.ready = 'true';
}

main().catch((e: Error) => status(`The inspector could not start: ${e.message}`, true));

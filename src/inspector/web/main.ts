/** The inspector page: wires the panels to one cursor (the selected step). */
import type { Breakpoint, BranchInfo, EventFilter, InspectorInfo, InvariantResult, MachineDefinition } from '../backend.ts';
import type { MapPatch, StepChange, StepView } from '../protocol.ts';
import { opLine } from '../../timeline/event-text.ts';
import { latestOnly } from './rpc.ts';
import { connect } from './transport.ts';
import { WhyPanel } from './why.ts';
import { MemoryMap, mapLegend } from './map.ts';
import { MapModel, type MapChange } from './model.ts';
import { Timeline } from './timeline.ts';
import { AccountingPlot, showAccountingTable } from './plot.ts';
import { drawStatechart } from './chart.ts';
import { showActor, showDiff, showEvent, showInvariants, showStepContext } from './panels.ts';
import { showOutcome } from './outcome.ts';
import { askFork, showBranches } from './branches.ts';
import { commonPrefix, showComparison } from './compare.ts';
import { COMMAND_HELP } from './command.ts';
import { CommandBox } from './command-box.ts';
import type { Op } from '../../kernel/ops.ts';
import { bytes, el } from './format.ts';
import { budget, nextTask } from './yield.ts';

/** Time the page may spend showing a step before it hands the main thread back (see loadStep). */
const SHOW_MS = 10;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const api = connect();
let info: InspectorInfo;
let cursor = 0;
let machines: MachineDefinition[] = [];
/** The selected actor: follows the step's event, or a click on the map. */
let actor: string | null = null;
let lastStep: StepView | null = null;
const matchBreakpoints: EventFilter[] = [];
let playing: { timer: number; target: number; hit: number | null; last: number } | null = null;
const model = new MapModel();

const status = (text: string, error = false) => {
  const s = $('status');
  s.textContent = text;
  // cut with "…" when the header is narrow: the whole line on hover
  s.title = text;
  s.className = error ? 'error' : '';
  if (text) announce(text);
  // an error also goes to a banner: the status line is short and easy to miss
  if (error) banner(text);
};

/**
 * Tell a screen reader what the page just did (a step, a status): one polite live region, the latest text only,
 * and not on every step of a scrub or of play — only once the cursor rests.
 */
let announceTimer = 0;
function announce(text: string): void {
  clearTimeout(announceTimer);
  announceTimer = window.setTimeout(() => { $('announce').textContent = text; }, playing ? 1000 : 250);
}

function banner(text: string, extra: HTMLElement[] = [], kind = 'error'): void {
  const b = $('banner');
  b.hidden = false;
  b.dataset.kind = kind;
  b.replaceChildren(el('span', {}, text), ...extra);
  const close = el('button', { type: 'button', title: 'dismiss' }, '×');
  close.addEventListener('click', () => { b.hidden = true; });
  b.append(' ', close);
}

const map = new MemoryMap($<HTMLCanvasElement>('map'), $<HTMLCanvasElement>('map-overlay'), $('map-detail'), $('map-summary'), $('map-actions'));
const timeline = new Timeline(api, $('rows'), $<HTMLInputElement>('rows-scroll'), $('row-count'), $('rows-empty'));
const plot = new AccountingPlot(api, $<HTMLCanvasElement>('plot'), $('plot-legend'), $('plot-tip'), $('plot-range'));
const scrubber = $<HTMLInputElement>('scrubber');
const whyPanel = new WhyPanel(api, $('diff'));
const commandBox = new CommandBox($<HTMLInputElement>('live-cmd'), $('live-result'), (op, line) => sendCommand(op, line));

/** Marks for the browser tests and for anyone timing the page: the cursor moved, and the page shows it. */
function mark(name: 'cursor' | 'shown', seq: number): void {
  performance.mark(`memhp:${name}`, { detail: { seq } });
  if (name === 'shown') document.body.dataset.shownSeq = String(seq);
}

/** A patch whose handling is worth splitting into tasks (a far jump, a full map). */
const isBig = (p: MapPatch) => p.blocks.id.length + p.blocks.del.length + p.sections.nr.length + p.sections.del.length > 2048;

let mapDrawn = false;
/** Resolved when the map is first drawn: the rest of the page loads after it (see main). */
let firstMapDrawn: () => void = () => {};
const firstMap = new Promise<void>((resolve) => { firstMapDrawn = resolve; });
/** The map only; the panels under it follow in a later task (see loadStep). */
async function drawMap(change: MapChange | null): Promise<void> {
  const f = model.view;
  if (!f) return;
  await map.update(f, change);
  if (!mapDrawn) { mapDrawn = true; performance.mark('memhp:map-drawn'); firstMapDrawn(); }
  document.body.dataset.mapSeq = String(f.seq);
}

/**
 * The invariants of a step: those the step's reply brought (`sent`), else
 * asked for as soon as the reply names invSeq, before the page draws it, so
 * the server checks them while the page draws instead of after.
 */
async function fetchInvariants(q: { seq: number; invSeq: number; opEnd: number }, sent?: InvariantResult[]): Promise<{ inv: InvariantResult[]; atOpEnd: { seq: number; results: InvariantResult[] } | null }> {
  const t0 = performance.now();
  const inv = sent ?? await api.call('invariants', { seq: q.invSeq });
  if (!sent) performance.measure('memhp:invariants-reply', { start: t0 });
  // A break in the middle of an operation may be the kernel's own transient state: compare with the op's end.
  const midOp = q.opEnd !== q.invSeq && inv.some((i) => !i.holds && !i.skipped);
  const atOpEnd = midOp ? { seq: q.opEnd, results: await api.call('invariants', { seq: q.opEnd }) } : null;
  return { inv, atOpEnd };
}

const loadStep = latestOnly(
  async (seq: number) => {
    const t0 = performance.now();
    // with the invariants in the same reply when the page patches a map it holds; not for a whole map (the first
    // one, a branch switch, a fork): the first check on a log or branch is slow and would hold the map back
    let s = await api.call('step', { seq, mapBase: model.seq, actor, invariants: model.seq !== null });
    performance.measure('memhp:step-reply', { start: t0 });
    // a far jump brings thousands of entries: parsing them and applying them are two tasks, not one long one
    // (not for the first map: nothing is on the page yet, and a task boundary lets a frame of the half-loaded page in)
    if (isBig(s.patch) && mapDrawn) await nextTask();
    // the map held is not the patch's base (a branch switch, a reconnect): ask for the whole map
    let change = model.apply(s.patch);
    if (!change) {
      model.reset();
      s = await api.call('step', { seq, mapBase: null, actor });
      change = model.apply(s.patch);
    }
    return { s, change };
  },
  // The step is shown in up to three tasks (map; event and diff panels; actor), each well under the long-task
  // threshold, and a step the scrubber has already left skips its panels (only the latest matters). A small
  // step is shown in one task: each task boundary may let the browser lay out and paint the page once more.
  async ({ s, change }, seq, stale) => {
    const clock = budget(SHOW_MS);
    const pause = async () => { if (clock.spent()) { await nextTask(); clock.reset(); } };
    lastStep = s;
    const q = { seq, invSeq: s.invSeq, opEnd: s.change.opEnd };
    const inv = stale() ? null : fetchInvariants(q, s.invariants);
    inv?.catch(() => {}); // reported where it is awaited
    const t0 = performance.now();
    if (isBig(s.patch) && mapDrawn) await nextTask();
    await drawMap(change);
    performance.measure('memhp:map-draw', { start: t0 });
    await pause();
    if (stale()) return;
    const e = s.event ?? undefined;
    showEvent($('event-title'), e, seq);
    announce($('event-title').textContent ?? `seq ${seq}`);
    showStepContext($('step-op'), s.change, s.mapSeq, (to) => setCursor(to));
    showDiff($('diff'), s.change.changes, e?.type === 'op');
    $('map-at').textContent = s.mapSeq === seq ? `at seq ${seq}` : `after the operation (seq ${s.mapSeq}) · ← for the world before it`;
    const f = model.view;
    if (f) {
      mapLegend($('map-legend'), f.nodes.map((n) => n.id));
      showAccountingTable($('acct-table'), f, s.change.changes);
    }
    renderQuick();
    await pause();
    if (stale()) return;
    // the selected actor follows the step (the server picks it); one the cursor moved past the removal of is let go
    actor = s.actor?.actor ?? actor;
    // the actor at the moment the map shows (after the operation, on an operation's row): both panels one moment
    showActorView(s, s.mapSeq);
    whyPanel.step(s, actor);
    // not awaited: the next step need not wait for these
    inv?.then((r) => showInvariantsOf(q, r), (err: Error) => status(err.message, true));
  },
  // a first step that failed must not hold the rest of the page back
  (e) => { status(e.message, true); firstMapDrawn(); },
);

function showInvariantsOf(q: { seq: number; invSeq: number }, r: { inv: InvariantResult[]; atOpEnd: { seq: number; results: InvariantResult[] } | null }): void {
  // a step the cursor has left since: its invariants would stand beside another step's map
  if (q.seq !== cursor) return;
  showInvariants($('invariants'), r.inv, r.atOpEnd);
  $('inv-at').textContent = q.invSeq === q.seq ? `at seq ${q.seq}` : `after the operation (seq ${q.invSeq})`;
  mark('shown', q.seq);
}

/** The step the map and the actor panel show: the cursor, or the end of the operation whose row the cursor is on. */
const shownSeq = () => (lastStep && lastStep.seq === cursor ? lastStep.mapSeq : cursor);

function showActorView(s: StepView, seq: number): void {
  const a = s.actor;
  if (a && a.state === 'removed' && a.last && a.last.seq < seq && s.event?.type !== 'transition') {
    // stepped on past its removal: nothing of it is left to show
    const gone = a.actor;
    actor = null;
    renderActor(null, seq, `${gone} was removed at seq ${a.last.seq}; nothing is selected now. Click a block on the map, or step onto a transition.`);
    return;
  }
  renderActor(a, seq);
}

const loadActor = latestOnly(
  async (q: { actor: string; seq: number }) => api.call('actor', q),
  (a, q) => renderActor(a, q.seq),
  (e) => status(e.message, true),
);

function renderActor(a: StepView['actor'], seq: number, note?: string): void {
  $('actor-name').textContent = a ? `${a.actor} · ${a.state ?? 'not yet moved'}` : '';
  if (!a) {
    $('chart').replaceChildren(el('p', {}, note ?? 'Click a block on the map, or a transition row in the timeline, to see its state machine, context and history here.'));
    $('actor-context').textContent = '';
    $('actor-history').replaceChildren();
    return;
  }
  const def = machines.find((m) => m.name === a.machine) ?? machines.find((m) => a.actor.startsWith(m.name.split('_')[0]!));
  if (def) drawStatechart($('chart'), def.definition, a.state, a.last ? { from: a.last.from, to: a.last.to, event: a.last.event.type } : null);
  else $('chart').replaceChildren(el('p', {}, `no statechart for ${a.actor}`));
  showActor($('actor-context'), $('actor-history'), a, seq, (s) => setCursor(s));
}

function setCursor(seq: number, note = ''): void {
  cursor = Math.max(0, Math.min(info.lastSeq, seq));
  scrubber.value = String(cursor);
  $('seq-label').textContent = `seq ${cursor} / ${info.lastSeq}`;
  // every move says where it came from; an old "no breakpoint behind" must not linger
  if (!playing) status(note);
  mark('cursor', cursor);
  plot.setCursor(cursor);
  loadStep(cursor);
  timeline.reveal(cursor);
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

/** The cursor to the next (or previous) event the timeline's filter matches. */
async function nextMatch(direction: 'forward' | 'backward'): Promise<void> {
  const f = readFilter();
  if (!f.actor && !f.type && !f.text) return status('n / N go to the next / previous row matching the filter: set a filter first (actor, type or text)');
  stopPlaying();
  const hit = await api.call('continue', { from: cursor, direction, breakpoints: [{ kind: 'match', filter: f }] });
  if (hit === null) status(direction === 'forward' ? 'no matching row after this one' : 'no matching row before this one');
  else setCursor(hit, `${direction === 'forward' ? 'next' : 'previous'} matching row: seq ${hit}`);
}

async function continueTo(direction: 'forward' | 'backward'): Promise<void> {
  stopPlaying();
  const hit = await api.call('continue', { from: cursor, direction, breakpoints: breakpoints() });
  if (hit === null) status(direction === 'forward' ? 'no breakpoint ahead' : 'no breakpoint behind');
  else setCursor(hit, `stopped at breakpoint, seq ${hit}`);
}

function setPlayButton(on: boolean): void {
  const b = $('play');
  b.classList.toggle('playing', on);
  b.title = on ? 'Pause (space)' : 'Play (space)';
  $('play-label').textContent = on ? 'pause' : 'play';
}

function stopPlaying(note?: string): void {
  if (!playing) return;
  clearInterval(playing.timer);
  playing = null;
  setPlayButton(false);
  status(note ?? `paused at seq ${cursor}`);
}

/** Steps per second from the speed control. */
const speed = () => Number(($('speed') as HTMLSelectElement).value) || 10;

async function play(): Promise<void> {
  if (playing) return stopPlaying();
  const hit = await api.call('continue', { from: cursor, direction: 'forward', breakpoints: breakpoints() });
  const target = hit ?? info.lastSeq;
  if (cursor >= target) return status('at the end of the log: nothing to play');
  setPlayButton(true);
  // a timer at most every 40 ms; fast speeds move several steps per tick (the page shows the latest)
  const tick = Math.max(40, 1000 / speed());
  playing = { target, hit, last: performance.now(), timer: 0 };
  status(`playing at ${speed()} steps/s${hit !== null ? ` to the breakpoint at seq ${hit}` : ''}`);
  playing.timer = window.setInterval(() => {
    const p = playing;
    if (!p) return;
    const now = performance.now();
    const n = Math.max(1, Math.round(((now - p.last) * speed()) / 1000));
    p.last = now;
    const to = Math.min(p.target, cursor + n);
    setCursor(to);
    if (to >= p.target) stopPlaying(p.hit !== null && to === p.hit ? `stopped at breakpoint, seq ${p.hit}` : `played to the end, seq ${to}`);
  }, tick);
}

function renderQuick(): void {
  const box = $('live-quick');
  const detail = $('map-detail').textContent ?? '';
  const m = /^memory(\d+) @ (0x[0-9a-f]+)/.exec(detail);
  if (!m) { box.replaceChildren(); return; }
  const blockSize = bytes(Number($('map').dataset.blockPages ?? 0) * (model.view?.pageSize ?? 4096));
  const cmds = [`online ${m[1]}`, `offline ${m[1]}`, `remove ${m[2]} ${blockSize}`];
  box.replaceChildren(...cmds.map((c) => {
    const b = el('button', { type: 'button' }, c);
    b.addEventListener('click', () => commandBox.suggest(c));
    return b;
  }));
}

/** Send a parsed operation (command-box.ts parsed the whole line); true when it went out, false when the user cancelled a fork. */
async function sendCommand(op: Op, line: string): Promise<boolean> {
  const out = $('live-result');
  // at a past step the command starts a new branch: say so, and let the user decide
  const opEnd = lastStep && lastStep.seq === cursor ? lastStep.change.opEnd : cursor;
  if (opEnd < info.lastSeq) {
    const ok = await askFork($('fork-ask'), { cursor, opEnd, lastSeq: info.lastSeq, command: line, logPath: info.logPath ?? null });
    if (!ok) { out.className = ''; out.textContent = 'not sent: nothing forked'; return false; }
  }
  const r = await api.call('apply', { op, atSeq: cursor });
  info = r.info;
  out.className = r.ok ? '' : 'bad';
  out.textContent = opLine({ op, ret: r.ret, errno: r.errno })
    + (r.message ? `\n${r.message}` : '')
    + (r.forkedLogPath ? `\nforked a new log at seq ${cursor}: ${r.forkedLogPath}` : '');
  if (r.forkedLogPath) {
    const back = el('button', { type: 'button' }, 'back to the original');
    back.addEventListener('click', () => void switchBranch(0));
    banner(`Forked at seq ${opEnd} into branch ${r.forkedBranch}: ${r.forkedLogPath}. The original log is unchanged and stays under Branches.`, [back], 'fork');
    model.reset();
  }
  // the cursor moves, and the box is free for the next line, without waiting for the branch and outcome lists
  void refreshLists();
  setCursor(info.lastSeq);
  return true;
}

/**
 * Show another branch at the same *event*: the cursor stays where it is while the two branches share it, and
 * past the point where they part it goes back to that point (the same seq on the other branch is another event).
 */
async function switchBranch(id: number, seq?: number): Promise<void> {
  const from = info.branch ?? 0;
  const at = seq ?? cursor;
  const common = id === from ? at : commonPrefix(branchList, from, id);
  info = await api.call('selectBranch', { id });
  model.reset();
  // the fork's banner is about the branch left behind
  if ($('banner').dataset.kind === 'fork') $('banner').hidden = true;
  // the cursor is placed before the branch and outcome lists come: a step the user takes meanwhile stands
  const lists = refreshLists();
  const to = seq !== undefined ? Math.min(seq, info.lastSeq) : Math.min(at, common, info.lastSeq);
  setCursor(to, to < at ? `on branch ${id}: ${info.name}; at seq ${to}, the last step branch ${from} and branch ${id} share (seq ${at} of branch ${from} is not on this branch)` : `on branch ${id}: ${info.name}`);
  await lists;
}

let branchList: BranchInfo[] = [];

/** The branch shown and branch `id` side by side (compare.ts). */
async function compareWith(id: number): Promise<void> {
  const shown = info.branch ?? 0;
  try {
    const c = await api.call('compare', { a: shown, b: id });
    showComparison($('compare'), c, shown, (branch, seq) => {
      if (branch === (info.branch ?? 0)) { stopPlaying(); setCursor(seq); }
      else void switchBranch(branch, seq);
    });
    status(`branch ${shown} and branch ${id} part at seq ${c.common + 1}`);
  } catch (e) {
    status((e as Error).message, true);
  }
}
/** The header and the scrubber's range: what info alone says. */
function showInfo(): void {
  $('log-name').textContent = `${info.name}${info.live ? ' · live' : ''}`;
  $('log-name').title = `${info.name}${info.logPath ? `\n${info.logPath}` : ''}`;
  $('log-path').textContent = info.logPath ?? '(in memory: a scenario; operations stay in memory)';
  scrubber.max = String(info.lastSeq);
  $('seq-label').textContent = `seq ${cursor} / ${info.lastSeq}`;
}

/** onInfo(), its failure shown in the status line: callers let it run on beside the cursor, and none may leave a failure unhandled. */
function refreshLists(): Promise<void> {
  return onInfo().catch((e: Error) => status(e.message, true));
}

async function onInfo(): Promise<void> {
  showInfo();
  timeline.refresh();
  // the plot needs only info: it need not wait for the lists below
  void plot.load(info.lastSeq);
  const [branches, outcome] = await Promise.all([api.call('branches', {}), api.call('outcome', {})]);
  branchList = branches;
  showBranches($('branches'), branchList, (id) => void switchBranch(id), (id) => void compareWith(id));
  showOutcome($('outcome'), outcome, (s) => { stopPlaying(); setCursor(s); });
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
  // where boot ends is asked with the rest, not after: one round trip less before the map
  let boot: StepChange;
  // a big log is still being read: the server says so on connecting
  api.onPush = (p) => { if (p.type === 'loading') status(`${p.text} The map follows as soon as it is read.`); };
  [info, machines, boot] = await Promise.all([api.call('info', {}), api.call('machines', {}), api.call('diff', { seq: 0 })]);
  // the help is the box's description (read after its short name) and its tooltip
  $('live-cmd').title = COMMAND_HELP.join('\n');
  $('live-help').textContent = `One operation per line, then Enter; up and down arrows recall earlier lines. Commands: ${COMMAND_HELP.join('; ')}`;
  timeline.onPick = (seq) => { stopPlaying(); setCursor(seq); };
  plot.onPick = (seq) => { stopPlaying(); setCursor(seq); };
  map.onSelect = (id) => { actor = `memory${id}`; loadActor({ actor, seq: shownSeq() }); renderQuick(); whyPanel.select(actor); };
  map.onJump = (seq) => { stopPlaying(); setCursor(seq, `went to the removal, seq ${seq}`); };
  map.onCursor = (text) => { announce(text); renderQuick(); };
  $('map-zoom-in').addEventListener('click', () => map.zoomBy(2));
  $('map-zoom-out').addEventListener('click', () => map.zoomBy(0.5));
  $('map-zoom-fit').addEventListener('click', () => map.zoomFit());
  $('plot-wrap').addEventListener('keydown', (e) => {
    if (!plot.key(e)) return;
    e.preventDefault();
    e.stopPropagation();
    if (e.key !== 'Enter') announce(plot.tipText);
  });
  $('plot-wrap').addEventListener('blur', () => plot.blur());
  // a click on the map or the plot does not take the keys from the timeline (← → keep stepping); Tab reaches them
  for (const id of ['map', 'plot']) $(id).addEventListener('mousedown', (e) => e.preventDefault());
  $('plot-y').addEventListener('change', () => { plot.yScale = ($('plot-y') as HTMLSelectElement).value as 'auto' | 'values' | 'change'; plot.draw(); $('rows').focus({ preventScroll: true }); });
  scrubber.addEventListener('input', () => { stopPlaying(); setCursor(Number(scrubber.value)); });
  $('to-start').addEventListener('click', () => { stopPlaying(); setCursor(0, 'start of the log'); });
  $('back').addEventListener('click', () => { stopPlaying(); setCursor(cursor - 1); });
  $('fwd').addEventListener('click', () => { stopPlaying(); setCursor(cursor + 1); });
  $('to-end').addEventListener('click', () => { stopPlaying(); setCursor(info.lastSeq, 'end of the log'); });
  $('play').addEventListener('click', () => void play());
  $('speed').addEventListener('change', () => {
    if (playing) { const was = playing.target; stopPlaying(); void play().then(() => { if (playing) playing.target = was; }); }
    $('rows').focus({ preventScroll: true });
  });
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
  // a choice in a list is done: hand the keys back to the timeline, so → steps instead of changing the choice
  for (const id of ['f-type', 'plot-mode']) $(id).addEventListener('change', () => $('rows').focus({ preventScroll: true }));
  $('plot-mode').addEventListener('change', () => { plot.mode = ($('plot-mode') as HTMLSelectElement).value as 'nodes' | 'zones'; plot.draw(); });
  $('plot-reset').addEventListener('click', () => plot.resetZoom());
  $('live-form').addEventListener('submit', (e) => { e.preventDefault(); void commandBox.submit(); });
  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement;
    if (e.key === 'Escape' && (t.tagName === 'INPUT' || t.tagName === 'SELECT')) { $('rows').focus({ preventScroll: true }); return; }
    // text boxes keep their caret keys; the scrubber moves the cursor itself
    if (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA') return;
    if (e.key === ' ' && t.tagName !== 'BUTTON') { e.preventDefault(); void play(); return; }
    // n / N: the next / previous row matching the timeline's filter (as a search in a pager)
    if ((e.key === 'n' || e.key === 'N') && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); void nextMatch(e.key === 'n' ? 'forward' : 'backward'); return; }
    const keys: Record<string, () => [number, string]> = {
      ArrowLeft: () => [cursor - 1, ''], ArrowRight: () => [cursor + 1, ''],
      Home: () => [0, 'start of the log'], End: () => [info.lastSeq, 'end of the log'],
    };
    const to = keys[e.key];
    if (!to) return;
    e.preventDefault();
    stopPlaying();
    const [seq, note] = to();
    setCursor(seq, note);
  });
  api.onPush = (p) => {
    if (p.type === 'loading') return;
    const atEnd = cursor === info.lastSeq;
    const branchChanged = (p.info.branch ?? 0) !== (info.branch ?? 0);
    info = p.info;
    if (branchChanged) model.reset();
    void refreshLists();
    if (atEnd || branchChanged) setCursor(Math.min(branchChanged ? cursor : info.lastSeq, info.lastSeq));
  };
  api.onClose = () => status('Disconnected from the inspector server: is `memhp inspect` still running? Restart it and reload this page.', true);
  // Open on the booted machine (the end of the boot op); seq 0, before boot, is an empty map.
  showInfo();
  setCursor(info.lastSeq > 0 ? boot.opEnd : 0);
  // the map first: the timeline's rows, the plot's series, branches and outcome come after it is drawn
  await firstMap;
  void refreshLists();
  status('ready');
  document.body.dataset.ready = 'true';
}

main().catch((e: Error) => status(`The inspector could not start: ${e.message}`, true));

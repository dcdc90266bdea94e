/**
 * evolve: the only way the world changes. Applies recorded events to a draft
 * (batch) or to a world (one event). A plain fold: it runs no kernel rule
 * (resource merging and splitting, firmware-map eligibility, a new node's
 * defaults were decided when the events were recorded, src/engine/ops), so a
 * log never changes meaning when a rule is fixed (docs/log-format.md §8).
 */
import type { HotplugContext } from '../../machines/hotplug.ts';
import { parseAgentWorkKey } from '../kernel/agents.ts';
import type { MemoryGroupState, NodeState, ZoneState } from '../kernel/reader.ts';
import type { ZoneName } from '../kernel/types.ts';
import type { MemhpEvent, TransitionEvent } from './events.ts';
import type { WorldReader } from './reader.ts';
import { copyRecord } from './copy.ts';
import { TableDraft } from './table.ts';
import type { BlockState, ResourceState, SectionState, VmemmapState, World } from './world.ts';
import { geometry, zoneKey } from './world.ts';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface DraftOptions {
  /** Freeze what the batch makes (default true): see WorldDraft.freeze. */
  freeze?: boolean;
}

/** `x`, frozen when the draft freezes what it makes. */
function sealed<T>(d: WorldDraft, x: T): T {
  return d.freeze ? Object.freeze(x) : x;
}

/** A world being changed in place by a batch of events; it reads like the world it will become. */
export class WorldDraft implements WorldReader {
  seq: number;
  params: World['params'];
  hotplug: string;
  oopses: number;
  taint: number;
  warnedOnce: World['warnedOnce'];
  faults: World['faults'];
  injection: World['injection'];
  signalPending: boolean;
  agentWork: World['agentWork'];
  groups: World['groups'];
  devices: World['devices'];
  resources: World['resources'];
  firmwareMap: World['firmwareMap'];
  // A table's draft is made when the batch first touches it: a refused operation reads one or
  // two tables and writes none, and the model checker decides millions of them.
  private _blocks: TableDraft<BlockState> | null = null;
  private _sections: TableDraft<SectionState> | null = null;
  private _zones: TableDraft<ZoneState> | null = null;
  private _nodes: TableDraft<NodeState> | null = null;
  private _vmemmap: TableDraft<VmemmapState> | null = null;
  get blocks(): TableDraft<BlockState> {
    return (this._blocks ??= new TableDraft(this.base.blocks));
  }
  get sections(): TableDraft<SectionState> {
    return (this._sections ??= new TableDraft(this.base.sections));
  }
  get zones(): TableDraft<ZoneState> {
    return (this._zones ??= new TableDraft(this.base.zones));
  }
  get nodes(): TableDraft<NodeState> {
    return (this._nodes ??= new TableDraft(this.base.nodes));
  }
  get vmemmap(): TableDraft<VmemmapState> {
    return (this._vmemmap ??= new TableDraft(this.base.vmemmap));
  }

  /**
   * Whether what the batch makes (the world, its records and lists) is Object.freeze()d: by
   * default yes. The model checker says no (its decisions' TxOptions `freeze`, its replay
   * check): it makes millions of worlds it alone reads, and freezing them was a sixth of its
   * CPU time per transition (docs/explore.md "Where the time went", the seventh pass).
   */
  readonly freeze: boolean;

  constructor(
    readonly base: World,
    options: DraftOptions = {},
  ) {
    this.freeze = options.freeze ?? true;
    this.seq = base.seq;
    this.params = base.params;
    this.hotplug = base.hotplug;
    this.oopses = base.oopses;
    this.taint = base.taint;
    this.warnedOnce = base.warnedOnce;
    this.faults = base.faults;
    this.injection = base.injection;
    this.signalPending = base.signalPending;
    // worlds made before agents existed have none pending
    this.agentWork = base.agentWork ?? [];
    this.groups = base.groups;
    this.devices = base.devices;
    this.resources = base.resources;
    this.firmwareMap = base.firmwareMap;
  }

  block(id: number): BlockState | undefined {
    return this.blocks.get(id);
  }
  section(nr: number): SectionState | undefined {
    return this.sections.get(nr);
  }
  node(id: number): NodeState | undefined {
    return this.nodes.get(id);
  }
  zone(node: number, zone: ZoneName): ZoneState | undefined {
    return this.zones.get(zoneKey(node, zone));
  }
  zonesOfAll(): Iterable<ZoneState> {
    return this.zones.values();
  }

  finish(): World {
    const f = this.freeze;
    return sealed<World>(this, {
      seq: this.seq,
      system: this.base.system,
      params: this.params,
      hotplug: this.hotplug,
      oopses: this.oopses,
      taint: this.taint,
      warnedOnce: this.warnedOnce,
      blocks: this._blocks ? this._blocks.finish(f) : this.base.blocks,
      sections: this._sections ? this._sections.finish(f) : this.base.sections,
      zones: this._zones ? this._zones.finish(f) : this.base.zones,
      nodes: this._nodes ? this._nodes.finish(f) : this.base.nodes,
      vmemmap: this._vmemmap ? this._vmemmap.finish(f) : this.base.vmemmap,
      faults: this.faults,
      injection: this.injection,
      signalPending: this.signalPending,
      agentWork: this.agentWork,
      groups: this.groups,
      devices: this.devices,
      resources: this.resources,
      firmwareMap: this.firmwareMap,
    });
  }
}

export class EvolveError extends Error {
  constructor(
    readonly seq: number,
    message: string,
  ) {
    super(`event ${seq}: ${message}`);
  }
}

/** memory65 → 65, section520 → 520 (the machine says how long the prefix is); no substring allocated. */
export function actorNumber(e: Pick<TransitionEvent, 'actor' | 'machine'>): number {
  const a = e.actor;
  let n = 0;
  for (let i = e.machine === 'memory_block' ? 6 : 7; i < a.length; i++) n = n * 10 + a.charCodeAt(i) - 48;
  return n;
}

function applyTransition(d: WorldDraft, e: TransitionEvent): void {
  const set = e.context;
  if (e.machine === 'hotplug') {
    const c = set as Partial<HotplugContext>;
    d.hotplug = e.to;
    if (c.params) d.params = sealed(d, { ...c.params });
    if (c.oopses !== undefined) d.oopses = c.oopses;
    if (c.taint !== undefined) d.taint = c.taint;
    if (c.warnedOnce !== undefined) d.warnedOnce = sealed(d, [...c.warnedOnce]);
    return;
  }
  const table = (e.machine === 'memory_block' ? d.blocks : d.sections) as unknown as TableDraft<Record<string, unknown>>;
  const id = actorNumber(e);
  if (e.to === 'removed') {
    table.set(id, undefined);
    return;
  }
  if (e.from === 'absent') {
    const o = copyRecord(set) as Record<string, unknown>;
    o.state = e.to;
    table.set(id, o);
    return;
  }
  if (table.get(id) === undefined) throw new EvolveError(e.seq, `${e.actor} does not exist`);
  const o = table.edit(id);
  for (const k in set) o[k] = set[k];
  o.state = e.to;
}

const newZone = (node: number, zone: ZoneState['zone']) => (): ZoneState => ({ node, zone, presentPages: 0, managedPages: 0, presentEarlyPages: 0, span: null });

export function applyEvent(d: WorldDraft, e: MemhpEvent): void {
  if (e.seq !== d.seq + 1) throw new EvolveError(e.seq, `expected sequence number ${d.seq + 1}`);
  d.seq = e.seq;
  // two of three events are transitions: test for them before the switch
  if (e.type === 'transition') return applyTransition(d, e);
  switch (e.type) {
    case 'op':
    case 'warning':
      return;
    case 'resource':
      return applyResource(d, e);
    case 'group': {
      if (e.action === 'register') {
        if (d.groups.some((g) => g.id === e.id)) throw new EvolveError(e.seq, `memory group ${e.id} exists`);
        const g: MemoryGroupState = sealed(d, { id: e.id, nid: e.nid, dynamic: e.dynamic, pages: e.pages, presentKernelPages: 0, presentMovablePages: 0, owner: e.owner });
        const groups = [...d.groups];
        insertSorted(groups, g, byId);
        d.groups = sealed(d, groups);
      } else {
        if (!d.groups.some((g) => g.id === e.id)) throw new EvolveError(e.seq, `memory group ${e.id} does not exist`);
        d.groups = sealed(d, d.groups.filter((g) => g.id !== e.id));
      }
      return;
    }
    case 'device': {
      if (e.action === 'unbind') d.devices = sealed(d, d.devices.filter((x) => x.name !== e.name));
      else {
        if (!e.device) throw new EvolveError(e.seq, `device ${e.name}: ${e.action} without its state`);
        const at = d.devices.findIndex((x) => x.name === e.name);
        const next = [...d.devices];
        if (at >= 0) next[at] = sealed(d, copyRecord(e.device));
        else next.push(sealed(d, copyRecord(e.device)));
        d.devices = sealed(d, next);
      }
      return;
    }
    case 'account': {
      if (e.zone === null) {
        const n = d.nodes.get(e.node);
        if (!n) throw new EvolveError(e.seq, `node ${e.node} does not exist`);
        (d.nodes.edit(e.node) as Mutable<NodeState>).memmapPages += e.memmapPages ?? 0;
        return;
      }
      const z = d.zones.edit(zoneKey(e.node, e.zone), newZone(e.node, e.zone)) as Mutable<ZoneState>;
      if (e.presentPages !== undefined) z.presentPages += e.presentPages;
      if (e.managedPages !== undefined) z.managedPages += e.managedPages;
      if (e.presentEarlyPages !== undefined) z.presentEarlyPages += e.presentEarlyPages;
      if (e.span !== undefined) z.span = e.span === null ? null : { startPfn: e.span.startPfn, endPfn: e.span.endPfn };
      if (e.group !== undefined && e.presentPages) {
        // adjust_present_page_count(): a group's present pages follow the zone they went to
        const movable = e.zone === 'Movable';
        d.groups = sealed(d,
          d.groups.map((g) =>
            g.id !== e.group
              ? g
              : sealed(d, {
                  ...g,
                  presentKernelPages: g.presentKernelPages + (movable ? 0 : e.presentPages!),
                  presentMovablePages: g.presentMovablePages + (movable ? e.presentPages! : 0),
                }),
          ),
        );
      }
      return;
    }
    case 'node': {
      const n = d.nodes.get(e.node);
      const maxFreeOrder = e.boot?.maxFreeOrder ?? e.maxFreeOrder;
      if (!n && maxFreeOrder === undefined) throw new EvolveError(e.seq, `node ${e.node} is new but its event has no maxFreeOrder`);
      const base: NodeState = n ?? { id: e.node, online: false, boot: false, memmapPages: 0, bootMemmapPages: 0, usedPages: 0, maxFreeOrder: maxFreeOrder! };
      const boot = e.boot
        ? { boot: true, memmapPages: base.memmapPages + e.boot.memmapPages, bootMemmapPages: e.boot.memmapPages, usedPages: e.boot.usedPages, maxFreeOrder: e.boot.maxFreeOrder }
        : {};
      d.nodes.set(e.node, sealed(d, { ...base, ...boot, online: e.online }));
      return;
    }
    case 'vmemmap': {
      const g = geometry(d.base);
      const key = Math.floor(e.headPfn / g.pagesPerSection);
      if (e.action === 'free') {
        d.vmemmap.set(key, undefined);
        return;
      }
      const prev = d.vmemmap.get(key);
      if (e.action === 'mark') {
        d.vmemmap.set(key, sealed(d, { headPfn: e.headPfn, nrPages: e.nrPages, refcount: e.refcount, sections: sealed(d, [...e.sections]), node: e.node, orphanedBy: null }));
        return;
      }
      if (!prev) throw new EvolveError(e.seq, `no vmemmap head at pfn ${e.headPfn}`);
      if (e.action === 'put') {
        // a put names one section or a few: a Set of them cost more than the search
        const gone = e.sections;
        const v = copyRecord(prev) as Mutable<VmemmapState>;
        v.refcount = e.refcount;
        v.sections = sealed(d, prev.sections.filter((s) => !gone.includes(s)));
        d.vmemmap.set(key, sealed(d, v));
      } else {
        const v = copyRecord(prev) as Mutable<VmemmapState>;
        v.orphanedBy = sealed(d, copyRecord(e.removed!));
        d.vmemmap.set(key, sealed(d, v));
      }
      return;
    }
    case 'fault':
      d.faults = sealed(d, [...d.faults, e]);
      return;
    case 'knob':
      if (e.knob === 'inject') d.injection = sealed(d, { ...d.injection, [e.key]: Number(e.value) });
      else if (e.knob === 'signal') d.signalPending = Boolean(e.value);
      else if (e.knob === 'agent') {
        const w = parseAgentWorkKey(e.key);
        if (!w) throw new EvolveError(e.seq, `agent knob: bad key ${JSON.stringify(e.key)} (expected "<agent> <target>")`);
        const rest = d.agentWork.filter((x) => x.agent !== w.agent || x.target !== w.target);
        d.agentWork = sealed(d, e.value === true ? [...rest, sealed(d, w)] : rest);
      }
      return;
    default: {
      const never: never = e;
      throw new Error(`unknown event ${(never as MemhpEvent).type}`);
    }
  }
}

const byStart = (a: { start: number }, b: { start: number }) => a.start - b.start;
const byId = (a: { id: number }, b: { id: number }) => a.id - b.id;
const byStartContainerFirst = (a: ResourceState, b: ResourceState) => a.start - b.start || Number(b.container) - Number(a.container);

/**
 * Puts `x` into the sorted `list` after every entry that does not sort after it: the list a
 * stable sort of `[...list, x]` gives, without sorting (resources change in most operations the
 * model checker tries, and a sort allocates its work space every time).
 */
function insertSorted<T>(list: T[], x: T, order: (a: T, b: T) => number): void {
  let at = list.length;
  while (at > 0 && order(list[at - 1]!, x) > 0) at--;
  list.splice(at, 0, x);
}

const sameResource = (a: ResourceState, b: ResourceState) => a.start === b.start && a.size === b.size && a.container === b.container && a.name === b.name;

/** Applies a resource event's recorded outcome: take out, put in, and the firmware memmap entry (no rule runs here). */
function applyResource(d: WorldDraft, e: Extract<MemhpEvent, { type: 'resource' }>): void {
  const list = [...d.resources];
  for (const r of e.remove) {
    const at = list.findIndex((x) => sameResource(x, r));
    if (at < 0) throw new EvolveError(e.seq, `no resource ${r.name} at ${r.start}+${r.size} to take out`);
    list.splice(at, 1);
  }
  for (const r of e.insert) insertSorted(list, sealed(d, { start: r.start, size: r.size, name: r.name, driverManaged: r.driverManaged, container: r.container }), byStartContainerFirst);
  d.resources = sealed(d, list);
  if (e.firmwareMap === 'add') {
    const map = [...d.firmwareMap];
    insertSorted(map, sealed(d, { start: e.start, size: e.size }), byStart);
    d.firmwareMap = sealed(d, map);
  }
  else if (e.firmwareMap === 'remove') {
    if (!d.firmwareMap.some((f) => f.start === e.start && f.size === e.size)) throw new EvolveError(e.seq, `no firmware memmap entry at ${e.start}+${e.size} to remove`);
    d.firmwareMap = sealed(d, d.firmwareMap.filter((f) => !(f.start === e.start && f.size === e.size)));
  }
}

/** The world after one more event. */
export function evolve(world: World, event: MemhpEvent, options?: DraftOptions): World {
  const d = new WorldDraft(world, options);
  applyEvent(d, event);
  return d.finish();
}

/** The world after applying events in order (one draft for the whole batch). */
export function evolveAll(world: World, events: Iterable<MemhpEvent>, options?: DraftOptions): World {
  const d = new WorldDraft(world, options);
  for (const e of events) applyEvent(d, e);
  return d.finish();
}

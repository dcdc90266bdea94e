/**
 * The user-space agents that online hot-added memory (docs/drivers.md "Onlining agents"): the
 * udev rule distributions ship, daxctl reconfigure-device, a virtio-mem guest's policy. Their
 * reactions are queued by a block's add uevent (daxctl: its own bind) and run at once or as
 * `agent` operations; the shipped race scenarios show what losing the race costs.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HotplugSystem, type Op } from '../../src/index.ts';
import { checkInvariants } from '../../src/check/invariants/index.ts';
import { operationsOf, smallMachine } from '../../src/check/machine.ts';
import { loadScenarioFile, validateScenario } from '../../src/scenario/index.ts';
import type { AgentSpec } from '../../src/kernel/agents.ts';
import { blockOf, GiB, makeSpec, MiB, ok, state } from './helpers.ts';

const dax: Op = { op: 'dax_kmem_add', device: 'dax0.0', node: 0, start: 4 * GiB, size: 256 * MiB };
const agent = (name: AgentSpec['name'], target?: string): Op => ({ op: 'agent', agent: name, ...(target ? { target } : {}) });

function withAgents(agents: AgentSpec[], params: Record<string, unknown> = { auto_online_blocks: 'offline' }) {
  const spec = { ...makeSpec({ boot: [{ node: 0, size: 2 * GiB }], params: params as never }), agents };
  return new HotplugSystem(spec, { actors: 'table' });
}

const knobs = (events: readonly { type: string }[]) => events.filter((e: any) => e.type === 'knob' && e.knob === 'agent').map((e: any) => `${e.key} ${e.value}`);

describe('onlining agents', () => {
  it('udev (at once): each block\'s add uevent queues the rule, which writes `online` to the offline block right after the add, as recorded events of that operation', () => {
    const s = withAgents([{ name: 'udev', online: 'online', react: 'at-once' }]);
    const r = s.apply(dax);
    expect(r.ret).toBe(0);
    expect(knobs(r.events)).toEqual(['udev memory32 true', 'udev memory33 true', 'udev memory32 false', 'udev memory33 false']);
    expect(blockOf(s.view(), 32)).toMatchObject({ state: 'online', zone: 'Normal' });
    expect(s.view().agentWork).toEqual([]);
    s.stop();
  });

  it('the rule matches only ATTR{state}=="offline": with auto_online_blocks on, the kernel onlined the block first and udev changes nothing', () => {
    const s = withAgents([{ name: 'udev', online: 'online', react: 'at-once' }], { auto_online_blocks: 'online_movable' });
    const r = s.apply(dax);
    expect(r.events.filter((e: any) => e.type === 'warning').map((e: any) => e.message)).toContain('udev: memory32 is online (Movable): the rule (ATTR{state}=="offline") does not match');
    expect(blockOf(s.view(), 32)).toMatchObject({ zone: 'Movable' });
    s.stop();
  });

  it('queued reactions wait for `agent` operations; one with nothing pending, or an agent not installed, is -ENOENT and changes nothing', () => {
    const s = withAgents([{ name: 'udev', online: 'online_movable', react: 'queued' }]);
    ok(s, dax);
    expect(s.view().agentWork).toEqual([{ agent: 'udev', target: 'memory32' }, { agent: 'udev', target: 'memory33' }]);
    expect(s.apply(agent('udev', 'memory33')).ret).toBe(0);
    expect(blockOf(s.view(), 33)).toMatchObject({ zone: 'Movable' });
    expect(s.apply(agent('udev')).ret).toBe(0); // the oldest: memory32
    expect(s.apply(agent('udev'))).toMatchObject({ errno: 'ENOENT' });
    expect(s.apply(agent('daxctl'))).toMatchObject({ errno: 'ENOENT' });
    s.stop();
  });

  it('udev before daxctl: daxctl finds the memory in ZONE_NORMAL and warns of the race; the block with the kernel\'s allocations cannot be offlined, so the unbind leaves the memory until reboot', () => {
    const s = withAgents([
      { name: 'udev', online: 'online', react: 'queued' },
      { name: 'daxctl', online: 'online_movable', react: 'queued' },
    ]);
    ok(s, dax, agent('udev', 'memory32'));
    const r = s.apply(agent('daxctl', 'dax0.0'));
    expect(r.ret).toBe(0);
    expect(r.events.some((e: any) => e.type === 'warning' && /detected a race while onlining memory: memory32 \(Normal\)/.test(e.message))).toBe(true);
    expect(blockOf(s.view(), 33)).toMatchObject({ zone: 'Movable' });
    expect(s.apply(state(32, 'offline'))).toMatchObject({ errno: 'EBUSY' });
    ok(s, state(33, 'offline'), { op: 'dax_kmem_remove', device: 'dax0.0' });
    expect(s.view().devices![0]).toMatchObject({ name: 'dax0.0', stuck: true });
    expect(checkInvariants({ world: s.world, events: s.events })).toEqual([]);
    s.stop();
  });

  it('daxctl before udev: all movable, udev\'s rule no longer matches, and the memory goes cleanly', () => {
    const s = withAgents([
      { name: 'udev', online: 'online', react: 'queued' },
      { name: 'daxctl', online: 'online_movable', react: 'queued' },
    ]);
    ok(s, dax, agent('daxctl'), agent('udev'), agent('udev'));
    expect(s.view().blocks.filter((b) => b.id >= 32).map((b) => b.zone)).toEqual(['Movable', 'Movable']);
    ok(s, state(32, 'offline'), state(33, 'offline'), { op: 'dax_kmem_remove', device: 'dax0.0' });
    expect(s.view().devices).toEqual([]);
    s.stop();
  });

  it('the virtio_mem agent reacts only to blocks of virtio-mem devices', () => {
    const s = withAgents([{ name: 'virtio_mem', online: 'online_movable', react: 'at-once' }]);
    ok(s, dax, { op: 'virtio_mem_add', device: 'virtio0', node: 0, start: 8 * GiB, size: 512 * MiB, blockSize: 2 * MiB, requested: 130 * MiB });
    expect(blockOf(s.view(), 32)).toMatchObject({ state: 'offline' });
    expect(s.view().blocks.filter((b) => b.id >= 64).map((b) => [b.id, b.zone])).toEqual([
      [64, 'Movable'],
      [65, 'Movable'],
    ]);
    s.stop();
  });

  it('a scenario names its agents; a wrong name or online type is an error at its JSON path', () => {
    const doc = { boot: [{ node: 0, size: '2G' }], agents: [{ name: 'udev' }, { name: 'daxctl', online: 'online', react: 'queued' }], ops: [] };
    expect(validateScenario(doc, 'x.json').agents).toEqual([
      { name: 'udev', online: 'online', react: 'at-once' },
      { name: 'daxctl', online: 'online', react: 'queued' },
    ]);
    expect(() => validateScenario({ ...doc, agents: [{ name: 'systemd' }] }, 'x.json')).toThrow(/agents\[0\]\.name/);
    expect(() => validateScenario({ ...doc, agents: [{ name: 'udev', online: 'offline' }] }, 'x.json')).toThrow(/agents\[0\]\.online/);
  });

  it('memhp explore --agents: the agents\' reactions are operations of their own, per block (daxctl per device)', () => {
    const m = smallMachine({ blocks: 2, agents: ['udev', 'daxctl'] });
    const ops = operationsOf(m, { extraOps: ['dax_kmem'] }).filter((o) => o.op === 'agent');
    expect(ops).toEqual([agent('udev', `memory${m.firstBlock}`), agent('udev', `memory${m.firstBlock + 1}`), agent('daxctl', 'dax0.0')]);
    expect(m.spec.agents).toEqual([
      { name: 'udev', online: 'online', react: 'queued' },
      { name: 'daxctl', online: 'online_movable', react: 'queued' },
    ]);
  });
});

describe('the shipped race scenarios', () => {
  const run = (file: string) => {
    const sc = loadScenarioFile(join(import.meta.dirname, '../../scenarios', file));
    const { ops, ...spec } = sc;
    const s = new HotplugSystem(spec, { actors: 'table' });
    const results = ops.map((op) => s.apply(op));
    return { s, results };
  };

  it('race-udev-daxctl.json: daxctl warns of the race, memory32 cannot be offlined (EBUSY) and dax0.0 is unbound with its memory stuck', () => {
    const { s, results } = run('race-udev-daxctl.json');
    expect(results[3]!.events.some((e: any) => e.type === 'warning' && /detected a race/.test(e.message))).toBe(true);
    expect(results.at(-2)).toMatchObject({ errno: 'EBUSY' });
    expect(s.view().devices![0]).toMatchObject({ name: 'dax0.0', stuck: true });
    s.stop();
  });

  it('race-udev-virtio-mem.json: both blocks go to ZONE_NORMAL ahead of the movable policy and the shrink to zero stops at 4 MiB (-EAGAIN)', () => {
    const { s, results } = run('race-udev-virtio-mem.json');
    expect(results[1]).toMatchObject({ errno: 'EAGAIN' });
    expect(s.view().devices![0]).toMatchObject({ plugged: 4 * MiB, requested: 0 });
    expect(blockOf(s.view(), 32)).toMatchObject({ zone: 'Normal' });
    s.stop();
  });
});

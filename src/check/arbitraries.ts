/**
 * fast-check arbitraries for operation sequences on a configurable small
 * machine. fast-check is passed in rather than imported, so the library
 * does not depend on a test-only package at run time:
 *
 *   import fc from 'fast-check';
 *   const { spec, ops } = operationArbitraries(fc, { kernel: 'v2-2019', blocks: 3 });
 *   fc.assert(fc.property(ops(), (seq) => firstViolationOf(spec, seq) === null));
 */
import type * as FastCheck from 'fast-check';
import type { SystemSpec } from '../kernel/types.ts';
import type { Op } from '../kernel/ops.ts';
import { operationsOf, smallMachine, type OperationChoice, type SmallMachine, type SmallMachineOptions } from './machine.ts';

type FC = Pick<typeof FastCheck, 'constantFrom' | 'array'>;

export interface OperationArbitraries {
  machine: SmallMachine;
  spec: SystemSpec;
  /** Every operation the explorer would try on this machine. */
  all: readonly Op[];
  /** One operation (shrinks towards adds, the first operations listed). */
  op: FastCheck.Arbitrary<Op>;
  /** A sequence of operations (shrinks to shorter sequences). */
  ops(constraints?: { minLength?: number; maxLength?: number }): FastCheck.Arbitrary<Op[]>;
}

export function operationArbitraries(fc: FC, opts: SmallMachineOptions & OperationChoice = {}): OperationArbitraries {
  const machine = smallMachine(opts);
  const all = operationsOf(machine, opts);
  const op = fc.constantFrom(...all);
  return {
    machine,
    spec: machine.spec,
    all,
    op,
    ops: (c = {}) => fc.array(op, { minLength: c.minLength ?? 0, maxLength: c.maxLength ?? 12 }),
  };
}

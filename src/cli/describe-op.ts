/** The CLI's wording of an operation and its result: shared with the stepper and the inspector. */
export { formatOp, formatResult } from '../engine/op-text.ts';

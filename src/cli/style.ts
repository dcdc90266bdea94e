/**
 * Terminal emphasis for human output: only when the stream is a terminal
 * and NO_COLOR is unset, so piped output and files stay plain text.
 */
import { styleText } from 'node:util';

export interface Style {
  fault(s: string): string;
  warn(s: string): string;
  bold(s: string): string;
  dim(s: string): string;
  ok(s: string): string;
}

const plain: Style = { fault: (s) => s, warn: (s) => s, bold: (s) => s, dim: (s) => s, ok: (s) => s };

export function styleFor(stream: NodeJS.WriteStream): Style {
  if (!stream.isTTY || process.env.NO_COLOR) return plain;
  return {
    fault: (s) => styleText(['red', 'bold'], s),
    warn: (s) => styleText('yellow', s),
    bold: (s) => styleText('bold', s),
    dim: (s) => styleText('dim', s),
    ok: (s) => styleText('green', s),
  };
}

export const PLAIN = plain;

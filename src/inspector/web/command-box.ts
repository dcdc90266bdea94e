/**
 * The command box under the timeline: what the user types becomes one
 * operation, or nothing. A line is parsed whole (command.ts) before anything
 * is sent; a line that does not parse is refused with the reason and stays in
 * the box to be fixed. A line that was sent leaves the box empty, so the next
 * command is never typed into the middle of the last one, and goes into a
 * history that ↑ and ↓ walk (as a shell's does; the line being typed is kept
 * at the bottom of it).
 */
import type { Op } from '../../kernel/ops.ts';
import { parseCommand } from './command.ts';

/** Lines kept in the history. */
const HISTORY = 100;

export class CommandBox {
  private history: string[] = [];
  /** Index into history while walking it with ↑/↓ (history.length: the line being typed). */
  private at = 0;
  private draft = '';

  /** send resolves true when the command went out (whatever the kernel returned), false when the user cancelled. */
  constructor(private input: HTMLInputElement, private out: HTMLElement, private send: (op: Op, line: string) => Promise<boolean>) {
    input.addEventListener('keydown', (e) => {
      if (e.key === 'ArrowUp') { e.preventDefault(); this.walk(-1); }
      else if (e.key === 'ArrowDown') { e.preventDefault(); this.walk(1); }
    });
    // an edited line is no longer the refused one
    input.addEventListener('input', () => { input.removeAttribute('aria-invalid'); });
  }

  /** Put a suggested command in the box (a quick button), ready to edit or send. */
  suggest(line: string): void {
    this.input.value = line;
    this.at = this.history.length;
    this.input.removeAttribute('aria-invalid');
    this.input.focus();
  }

  private walk(d: number): void {
    if (this.history.length === 0) return;
    if (this.at === this.history.length) this.draft = this.input.value;
    this.at = Math.max(0, Math.min(this.history.length, this.at + d));
    this.input.value = this.at === this.history.length ? this.draft : this.history[this.at]!;
    // the caret at the end, as a shell leaves it
    this.input.setSelectionRange(this.input.value.length, this.input.value.length);
  }

  /** Parse the line whole and send it; a line that does not parse is refused here and nothing is sent. */
  async submit(): Promise<void> {
    const line = this.input.value.trim();
    let op: Op;
    try {
      op = parseCommand(line);
    } catch (e) {
      this.input.setAttribute('aria-invalid', 'true');
      this.out.className = 'bad';
      // the reason alone (the box keeps the line, marked invalid): nothing was sent
      this.out.textContent = (e as Error).message;
      return;
    }
    this.input.removeAttribute('aria-invalid');
    try {
      if (!(await this.send(op, line))) return;
    } catch (e) {
      // the server refused it (or the connection is gone): nothing was written, the line stays to be fixed
      this.out.className = 'bad';
      this.out.textContent = `not sent: ${(e as Error).message}`;
      return;
    }
    if (this.history[this.history.length - 1] !== line) this.history.push(line);
    if (this.history.length > HISTORY) this.history.shift();
    this.at = this.history.length;
    this.draft = '';
    this.input.value = '';
  }
}

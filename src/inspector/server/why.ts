/**
 * The inspector's `why` request: the same answer `memhp why` gives
 * (src/why), over the branch the page shows. The log is read once per branch
 * and length: a WhyLog keeps the op boundaries and any re-decided operation.
 */
import type { InspectorBackend } from '../backend.ts';
import { parseQuestion, QuestionError, why, WhyLog, type WhyAnswer } from '../../why/index.ts';

export class WhyAnswers {
  private log: WhyLog | null = null;
  private key = '';

  constructor(private readonly backend: InspectorBackend) {}

  private current(): WhyLog {
    const info = this.backend.info();
    const key = `${info.branch ?? 0}:${info.lastSeq}`;
    if (!this.log || key !== this.key) {
      this.log = new WhyLog(info.system, this.backend.events(1, info.lastSeq));
      this.key = key;
    }
    return this.log;
  }

  /** `question`: the words of `memhp why` (memory65, node0 Movable, op 4, seq 296); `at`: the step shown. */
  answer(question: string, at: number): WhyAnswer {
    const log = this.current();
    try {
      return why(log, parseQuestion(question.split(/\s+/)), Math.min(at, log.events.length));
    } catch (e) {
      // a question the page should not have sent: a reply with the reason, like any invalid request
      if (e instanceof QuestionError || e instanceof RangeError) throw new Error(e.message);
      throw e;
    }
  }
}

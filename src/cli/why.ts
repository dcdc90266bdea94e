/** `memhp why <scenario|log> [--at N] [--json] <memoryN | nodeN zone | op N>`: the kernel rules behind a block, a zone or an operation (docs/why.md). */
import type { Command } from 'commander';
import { InputError } from '../input/errors.ts';
import { loadSource, parseStep } from '../session/source.ts';
import { parseQuestion, QuestionError, why, whyLines, WhyLog, type WhyQuestion } from '../why/index.ts';
import { printJson, printLines, warn } from './output.ts';

interface WhyOptions {
  at?: string;
  json?: boolean;
}

export function registerWhy(program: Command): void {
  program
    .command('why')
    .description('the chain of kernel rules behind a block\'s zone, a zone\'s blocks, or an operation\'s result (each citing docs/kernel-model.md §N)')
    .argument('<file>', 'scenario file or memhp log')
    .argument('<question...>', '`memoryN`, `nodeN <zone>`, `op N` (the operation\'s index, boot not counted) or `seq N` (the operation holding event N)')
    .option('--at <N>', 'ask about the world after event N (default: the end; op questions name their own step)')
    .option('--json', 'print the answer as one JSON object { question, at, summary, seq, source, note?, chain, parts }')
    .action((file: string, words: string[], opts: WhyOptions) => {
      let q: WhyQuestion;
      try {
        q = parseQuestion(words);
      } catch (e) {
        if (e instanceof QuestionError) throw new InputError(e.message);
        throw e;
      }
      const source = loadSource(file);
      for (const w of source.warnings) warn(w);
      const at = parseStep('--at', opts.at, source.events.length);
      let answer;
      try {
        answer = why(new WhyLog(source.spec, source.events), q, at);
      } catch (e) {
        if (e instanceof RangeError) throw new InputError(`${file}: ${e.message}`);
        throw e;
      }
      if (opts.json) printJson(answer);
      else printLines(whyLines(answer));
    });
}

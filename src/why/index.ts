/** `memhp why`: answers from the reasons the engine recorded (docs/why.md). */
export { MAX_PARTS, why, WhyLog, type WhyAnswer, type WhyLine, type WhyPart, type WhySource } from './answer.ts';
export { parseQuestion, QuestionError, type WhyQuestion } from './question.ts';
export { whyLines } from './text.ts';

/**
 * Invalid input found before the engine sees it (a missing file, a bad
 * --log path, a scenario given where a log is wanted). The message already
 * names the place; the CLI turns it into exit status 2 (principle 5).
 */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

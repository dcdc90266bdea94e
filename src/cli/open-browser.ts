/**
 * `--open`: hand the inspector's URL to a browser if this machine has one
 * ($BROWSER, else xdg-open / open). Without one, say so and carry on: the
 * URL is printed either way.
 */
import { spawn, spawnSync } from 'node:child_process';

function which(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Returns the program used, or null when no browser launcher was found. */
export function openBrowser(url: string): string | null {
  const candidates = [process.env.BROWSER, process.platform === 'darwin' ? 'open' : 'xdg-open'].filter((c): c is string => !!c);
  for (const cmd of candidates) {
    if (!which(cmd.split(' ')[0]!)) continue;
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true, shell: false });
    child.on('error', () => {});
    child.unref();
    return cmd;
  }
  return null;
}

/**
 * Best-effort opening of the sign-in URL in the user's browser (`open` on macOS, `start` on Windows, `xdg-open`
 * elsewhere). Failure is silent: the URL is always printed too, and `--no-browser` skips this.
 */
import { spawn } from 'node:child_process';

/** Tries to open `url`; never throws. */
export function openBrowser(url: string): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]] : ['xdg-open', [url]];
  try {
    const child = spawn(cmd, args as string[], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no opener available: the printed URL is enough
  }
}

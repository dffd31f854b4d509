/**
 * Best-effort opening of the sign-in URL in the user's browser (`open` on macOS, `start` on Windows, `xdg-open`
 * elsewhere). Failure is silent: the URL is always printed too, and `--no-browser` skips this.
 *
 * The opener and the browser it starts get only what a desktop session needs ({@link browserEnv}), never this
 * process's secrets (DYNSYNC_ENCRYPTION_KEY, KAFKA_SASL_PASSWORD, …): a browser keeps its environment for as long as it
 * runs, and passes it on to its own helpers.
 */
import { spawn } from 'node:child_process';

/** Variables a browser opener needs: where programs and the desktop are, the user, the language, a proxy. */
const KEEP = /^(PATH|HOME|USER|LOGNAME|SHELL|LANG|LANGUAGE|LC_[A-Z_]+|TZ|TMPDIR|TEMP|TMP|DISPLAY|WAYLAND_DISPLAY|XAUTHORITY|XDG_[A-Z_]+|DBUS_SESSION_BUS_ADDRESS|DESKTOP_SESSION|BROWSER|SYSTEMROOT|SystemRoot|WINDIR|windir|COMSPEC|ComSpec|PATHEXT|APPDATA|LOCALAPPDATA|USERPROFILE|PROGRAMFILES|ProgramFiles|HTTPS?_PROXY|https?_proxy|NO_PROXY|no_proxy)$/;

/** The environment given to the browser opener: the allow-listed variables of `env` only. */
export function browserEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([k, v]) => v !== undefined && KEEP.test(k)));
}

/** Tries to open `url` with the desktop's variables of `env` (the process environment, cli/config.ts); never throws. */
export function openBrowser(url: string, env: NodeJS.ProcessEnv, spawnProcess: typeof spawn = spawn): void {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url.replace(/&/g, '^&')]] : ['xdg-open', [url]];
  try {
    const child = spawnProcess(cmd, args as string[], { stdio: 'ignore', detached: true, env: browserEnv(env) });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // no opener available: the printed URL is enough
  }
}

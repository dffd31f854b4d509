/**
 * Where the CLI's text goes and comes from. Commands write data to `out` (stdout, pipe-friendly) and prompts,
 * progress and errors to `err` (stderr); stdin is read only for a secret (`--client-secret-stdin`).
 */

/** The CLI's terminal. */
export interface CliIo {
  /** Writes to stdout (data: tables, JSON). */
  out(text: string): void;
  /** Writes to stderr (instructions, progress, errors). */
  err(text: string): void;
  /**
   * Reads a secret from stdin: from a terminal, one line typed without echo after `prompt` (on stderr); from a
   * pipe, everything up to EOF, without its final newline.
   */
  readSecret(prompt?: string): Promise<string>;
  /** True when stdout is a terminal (ANSI redraw allowed); absent = not a terminal. */
  readonly isTty?: boolean;
  /** The terminal's width in columns, when known. */
  columns?(): number | undefined;
  /** Calls `fn` on Ctrl-C (SIGINT) instead of the default exit; returns the function that removes it. */
  onInterrupt?(fn: () => void): () => void;
}

/** The process's stdout, stderr and stdin. */
export function processIo(): CliIo {
  return {
    out: (text) => void process.stdout.write(text),
    err: (text) => void process.stderr.write(text),
    isTty: process.stdout.isTTY === true,
    columns: () => process.stdout.columns,
    onInterrupt: (fn) => {
      process.on('SIGINT', fn);
      return () => void process.off('SIGINT', fn);
    },
    readSecret: async (prompt) => {
      if (process.stdin.isTTY) return readHiddenLine(prompt ?? 'Secret: ');
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer));
      return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
    },
  };
}

/** One line from the terminal in raw mode, not echoed; Ctrl-C aborts with exit code 130. */
function readHiddenLine(prompt: string): Promise<string> {
  process.stderr.write(prompt);
  const stdin = process.stdin;
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve) => {
    let line = '';
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n' || ch === '\u0004') {
          stdin.off('data', onData);
          stdin.setRawMode(false);
          stdin.pause();
          process.stderr.write('\n');
          return resolve(line);
        }
        if (ch === '\u0003') {
          stdin.setRawMode(false);
          process.stderr.write('\n');
          process.exit(130);
        }
        if (ch === '\u007f' || ch === '\b') line = line.slice(0, -1);
        else line += ch;
      }
    };
    stdin.on('data', onData);
  });
}

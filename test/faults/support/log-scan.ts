/**
 * Invariant 7 observed from the outside: every captured service and CLI log of a pipeline is scanned for the
 * secrets that exist in the run (the app's client secret, the encryption key) and for token shapes the simulator
 * issues (JWT access/id tokens `eyJ….eyJ…`, refresh tokens `1.AR…`, authorization codes `1.AS…`).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One finding: which file, which secret (never the secret itself). */
export interface SecretFinding {
  file: string;
  what: string;
  line: number;
}

const TOKEN_SHAPES: [string, RegExp][] = [
  ['a JWT (access or id token)', /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}/],
  ['a refresh token', /\b1\.AR[A-Za-z0-9_-]{20,}/],
  ['an authorization code', /\b1\.AS[A-Za-z0-9_-]{20,}/],
];

/** Scans every file of `dir` for `literals` (name → value) and token shapes. */
export function scanForSecrets(dir: string, literals: Record<string, string>): { files: number; bytes: number; findings: SecretFinding[] } {
  const findings: SecretFinding[] = [];
  let bytes = 0;
  const files = readdirSync(dir).filter((f) => f.endsWith('.log'));
  for (const f of files) {
    const text = readFileSync(join(dir, f), 'utf8');
    bytes += text.length;
    text.split('\n').forEach((line, i) => {
      for (const [what, value] of Object.entries(literals)) if (value.length >= 8 && line.includes(value)) findings.push({ file: f, what, line: i + 1 });
      for (const [what, re] of TOKEN_SHAPES) if (re.test(line)) findings.push({ file: f, what, line: i + 1 });
    });
  }
  return { files: files.length, bytes, findings };
}

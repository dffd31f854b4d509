/**
 * `dynsync secrets reseal`: re-encrypts every stored secret with the current key (DYNSYNC_ENCRYPTION_KEY, id
 * DYNSYNC_ENCRYPTION_KEY_ID) and binds it to its connection's organisation, tenant and app. Secrets sealed with a key of
 * DYNSYNC_PREVIOUS_ENCRYPTION_KEYS are read with it. Each secret is replaced on its own, and only if it is still the
 * document read (a token cache a running service rewrites meanwhile is left as that service wrote it, already current):
 * running it again after an interruption finishes the rest, and running it when nothing is left changes nothing.
 * Nothing secret is printed.
 */
import { SyncError } from '../../shared/errors.ts';
import { bindingOf, type ResealOutcome } from '../../dataverse/secrets/encrypted-secrets.ts';
import type { CliCommand, CliContext } from '../cli-context.ts';
import { parseCommand, rejectExtraPositionals, type CommandSpec } from '../command-spec.ts';
import { toJsonText } from '../format.ts';

const spec = {
  name: 'secrets reseal',
  summary:
    'Re-encrypt every stored secret (client secrets, token caches) with the current key and bind it to its connection\'s ' +
    'organisation, tenant and app; secrets sealed with a key of DYNSYNC_PREVIOUS_ENCRYPTION_KEYS are read with it. ' +
    'Idempotent and resumable: secrets already current are left alone.',
  options: {
    'dry-run': { type: 'boolean', description: 'only report what would be re-sealed (nothing is written)' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  notes: [
    'Key rotation (SECURITY.md): give every process the new key (DYNSYNC_ENCRYPTION_KEY, a new DYNSYNC_ENCRYPTION_KEY_ID)',
    'with the old one in DYNSYNC_PREVIOUS_ENCRYPTION_KEYS=<old id>:<old key>, run this, then drop the old key once',
    '`dynsync secrets reseal --dry-run` reports nothing left to re-seal.',
    'Exit codes: 0 every secret current; 1 some could not be re-sealed (listed); 2 configuration (key missing).',
  ],
  examples: ['dynsync secrets reseal', 'dynsync secrets reseal --dry-run --json'],
} as const satisfies CommandSpec;

/** One secret's line of the report. */
interface Row {
  id: string;
  outcome: ResealOutcome | 'orphan' | 'failed';
  reason?: string;
}

async function reseal(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommand(spec, argv);
  rejectExtraPositionals(spec, positionals);
  const secrets = await ctx.sealedSecrets(); // ENCRYPTION_KEY_MISSING before anything is read
  const connections = new Map((await (await ctx.connections()).list()).map((c) => [c.id, c]));
  const rows: Row[] = [];
  for (const doc of await (await ctx.secretStore()).list()) {
    const connection = connections.get(doc.connectionId);
    if (!connection) {
      rows.push({ id: doc._id, outcome: 'orphan', reason: `no connection "${doc.connectionId}": remove it with \`dynsync connections remove ${doc.connectionId}\`` });
      continue;
    }
    try {
      rows.push({ id: doc._id, outcome: await secrets.reseal(bindingOf(connection), doc.name, { dryRun: !!values['dry-run'] }) });
    } catch (err) {
      rows.push({ id: doc._id, outcome: 'failed', reason: err instanceof SyncError ? err.message : String(err) });
    }
  }
  const count = (o: Row['outcome']) => rows.filter((r) => r.outcome === o).length;
  const summary = { resealed: count('resealed'), current: count('current') + count('changed'), failed: count('failed'), orphans: count('orphan'), dryRun: !!values['dry-run'] };
  if (values.json) ctx.io.out(toJsonText({ ...summary, secrets: rows }));
  else {
    for (const r of rows) if (r.outcome !== 'current') ctx.io.out(`  ${r.id.padEnd(40)} ${r.outcome}${r.reason ? `: ${r.reason}` : ''}\n`);
    const verb = values['dry-run'] ? 'would be re-sealed' : 're-sealed';
    ctx.io.out(`${summary.resealed} secret(s) ${verb} with key "${secrets.keyId}", ${summary.current} already current, ${summary.failed} failed, ${summary.orphans} without a connection.\n`);
  }
  return summary.failed > 0 ? 1 : 0;
}

/** `secrets reseal`. */
export const secretsCommands: CliCommand[] = [{ spec, run: reseal }];

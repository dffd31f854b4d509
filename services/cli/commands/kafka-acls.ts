/**
 * `dynsync kafka-acls`: the Kafka ACLs each principal of a deployment needs (services/shared/kafka-acls.ts), as
 * `kafka-acls.sh` commands to run with an admin's client configuration. Needs no configuration and contacts nothing.
 */
import { DEFAULT_ACL_NAMES, KAFKA_ROLES, aclsFor, kafkaAclCommands, type KafkaRole } from '../../shared/kafka-acls.ts';
import type { CliCommand, CliContext } from '../cli-context.ts';
import { parseCommand, rejectExtraPositionals, usageError, type CommandSpec } from '../command-spec.ts';
import { toJsonText } from '../format.ts';

const principal = (role: KafkaRole) => ({ type: 'string', valueName: '<principal>', description: `principal of the ${role} (default User:dynsync-${role})` }) as const;

const spec = {
  name: 'kafka-acls',
  summary: 'Print the kafka-acls.sh commands that give each principal (coordinator, extractor, loader, ops) exactly the Kafka ACLs it needs.',
  options: {
    coordinator: principal('coordinator'),
    extractor: principal('extractor'),
    loader: principal('loader'),
    ops: principal('ops'),
    'coordinator-group': { type: 'string', valueName: '<id>', description: `COORDINATOR_GROUP_ID, also the prefix of its transactional ids (default ${DEFAULT_ACL_NAMES.coordinatorGroup})` },
    'extractor-group': { type: 'string', valueName: '<id>', description: `EXTRACTOR_GROUP_ID (default ${DEFAULT_ACL_NAMES.extractorGroup})` },
    'loader-group': { type: 'string', valueName: '<id>', description: `LOADER_GROUP_ID (default ${DEFAULT_ACL_NAMES.loaderGroup})` },
    'bootstrap-server': { type: 'string', valueName: '<host:port>', description: 'put in the commands (default a placeholder)' },
    json: { type: 'boolean', description: 'print the ACLs as JSON instead' },
  },
  notes: ['Group and transactional-id ACLs are prefixed: they also cover ids that start with the given one (dynsync-loader-acme).', 'SECURITY.md, "Principals and ACLs", explains each.'],
  examples: ['dynsync kafka-acls --loader User:CN=loader.prod --bootstrap-server kafka-1:9093'],
} as const satisfies CommandSpec;

async function run(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const { values: v, positionals } = parseCommand(spec, argv);
  rejectExtraPositionals(spec, positionals);
  const names = {
    coordinatorGroup: v['coordinator-group'] ?? DEFAULT_ACL_NAMES.coordinatorGroup,
    extractorGroup: v['extractor-group'] ?? DEFAULT_ACL_NAMES.extractorGroup,
    loaderGroup: v['loader-group'] ?? DEFAULT_ACL_NAMES.loaderGroup,
  };
  const principals = Object.fromEntries(KAFKA_ROLES.map((r) => [r, v[r] ?? `User:dynsync-${r}`])) as Record<KafkaRole, string>;
  for (const [role, p] of Object.entries(principals)) if (!/^[A-Za-z]+:\S+$/.test(p)) throw usageError(spec.name, `--${role} must be a principal such as User:dynsync-${role}`);
  if (v.json) {
    ctx.io.out(toJsonText(KAFKA_ROLES.map((role) => ({ role, principal: principals[role], acls: aclsFor(role, names) }))));
    return 0;
  }
  for (const role of KAFKA_ROLES) {
    ctx.io.out(`# ${role}: ${principals[role]}\n`);
    for (const line of kafkaAclCommands(principals[role], role, names, v['bootstrap-server'])) ctx.io.out(`${line}\n`);
  }
  return 0;
}

/** The `kafka-acls` command. */
export const kafkaAclsCommand: CliCommand = { spec, run };

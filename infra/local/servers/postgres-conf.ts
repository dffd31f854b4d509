/**
 * postgresql.conf and pg_hba.conf of the local PostgreSQL + DocumentDB, rewritten at every start (edit here, not in
 * the data directory). Sized for a 2-core, 24 GB development machine that also runs Kafka, Apicurio and the
 * services under test; the durability choice is explained in the README ("Local servers").
 */

/** postgresql.conf for a server listening on 127.0.0.1:`port`. */
export function postgresConf(port: number): string {
  return `# written by infra/local/servers/postgres-conf.ts at every start of infra:up: edit there
listen_addresses = '127.0.0.1'
port = ${port}
unix_socket_directories = '/run/postgresql'   # a tmpfs private to this server (infra/local/in-root.sh)
max_connections = 120                        # FerretDB pools up to 50
shared_preload_libraries = 'pg_cron,pg_documentdb_core,pg_documentdb'
cron.database_name = 'postgres'
cron.log_statement = off     # DocumentDB schedules jobs every 2 s: neither a log line nor a cron.job_run_details
cron.log_run = off           # row per run

# memory
shared_buffers = 512MB
effective_cache_size = 4GB
work_mem = 16MB
maintenance_work_mem = 256MB
huge_pages = off
dynamic_shared_memory_type = posix
jit = off

# durability: a commit still hands its WAL to the kernel before it is acknowledged, so a killed server (even
# kill -9) loses nothing it acknowledged; only an OS crash or power loss can (and may corrupt the store: delete
# run/postgres). synchronous_commit stays on: off would acknowledge before the WAL is written and lose the last
# ~0.6 s of acknowledged writes on kill -9 (the loader commits Kafka offsets after that acknowledgement).
fsync = off
synchronous_commit = on
full_page_writes = on        # a write torn by kill -9 is repaired from the WAL
max_wal_size = 1GB
checkpoint_timeout = 10min

# logging to stderr (server.log)
log_checkpoints = off
log_timezone = 'UTC'
timezone = 'UTC'
`;
}

/** Loopback connections without a password: DocumentDB opens its own local connections without one. */
export const PG_HBA = `# written by infra/local/servers/postgres-conf.ts
local all all               trust
host  all all 127.0.0.1/32  trust
host  all all ::1/128       trust
`;

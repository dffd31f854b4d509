/**
 * Test fixture: the `account` table definition built from the metadata fixture (one column of every type), for
 * the unit tests of mapping/. Not used at run time.
 */
import { ACCOUNT_ATTRIBUTES, ACCOUNT_CASTS, ACCOUNT_ENTITY } from '../model/account-metadata.fixture.ts';
import { buildTableDefinition, parseAttributes } from '../model/attributes.ts';
import { parseEntityDefinitions } from '../model/entity-definitions.ts';
import type { TableDefinition } from '../model/table-definition.ts';

/** Builds the fixture table (fresh object on each call). */
export function accountTable(): TableDefinition {
  const summary = parseEntityDefinitions({ value: [ACCOUNT_ENTITY] }).tables[0];
  if (!summary) throw new Error('fixture: account entity missing');
  return buildTableDefinition(summary, parseAttributes(ACCOUNT_ATTRIBUTES, ACCOUNT_CASTS));
}

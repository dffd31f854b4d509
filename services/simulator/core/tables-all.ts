/** Every simulated table, in the order EntityDefinitions lists them. */
import type { TableDef } from './schema.ts';
import { account, contact, opportunity } from './tables-crm.ts';
import { new_importlog, new_widget } from './tables-custom.ts';
import { systemuser, team, transactioncurrency } from './tables-reference.ts';

/** The built-in tables. */
export const TABLES: readonly TableDef[] = [account, contact, opportunity, transactioncurrency, systemuser, team, new_widget, new_importlog];

/**
 * Custom tables: `new_widget` (entity set `new_widgetset`, not logical name + "s") is the wide benchmark table
 * with every column type, including the unsyncable ones discovery must skip; `new_importlog` has change
 * tracking disabled.
 */
import { combine, pick } from './hash.ts';
import type { TableDef } from './schema.ts';
import { YES_NO, tableDef } from './gen-system-columns.ts';
import { bigint, bool, col, dateOnly, dateTime, decimal, double, guid, int, lookup, multi, nullable, oneOf, option, options, text } from './gen-columns.ts';
import { currencyColumns, money } from './tables-reference.ts';
import { CITIES, PRODUCTS } from './gen-words.ts';

const CATEGORY = options(['Hardware', 'Software', 'Service', 'Spare Part'], 100_000_000);
const COLOR = options(['Red', 'Green', 'Blue', 'Black', 'White', 'Silver'], 100_000_000);
const TAGS = options(['Fragile', 'Heavy', 'Hazardous', 'Refurbished', 'Limited', 'Eco'], 100_000_000);
const REGION = options(['EMEA', 'Americas', 'APAC'], 100_000_000);
const SOURCE = options(['CSV', 'Excel', 'API', 'Migration'], 100_000_000);
const WIDGET_STATUSES = [
  { value: 1, label: 'Active', state: 0 },
  { value: 100_000_000, label: 'In Review', state: 0 },
  { value: 2, label: 'Inactive', state: 1 },
];

export const new_widget: TableDef = tableDef({
  logicalName: 'new_widget',
  schemaName: 'new_Widget',
  entitySetName: 'new_widgetset',
  displayName: 'Widget',
  displayCollectionName: 'Widgets',
  primaryId: 'new_widgetid',
  primaryName: 'new_name',
  changeTracking: true,
  custom: true,
  ownership: 'UserOwned',
  objectTypeCode: 10_001,
  rows: (n) => n,
  lifecycle: { statuses: WIDGET_STATUSES },
  columns: [
    col('new_name', 'String', 'Name', { custom: true, maxLength: 200, gen: (h) => `${pick(h, PRODUCTS)} ${pick(combine(h, 1), ['Mk I', 'Mk II', 'Pro', 'Lite', 'XL', 'Mini'])} ${h % 10_000}` }),
    col('new_code', 'String', 'Code', { custom: true, maxLength: 20, gen: (h) => `W-${(h % 0xffffff).toString(16).toUpperCase().padStart(6, '0')}` }),
    col('new_sku', 'String', 'SKU', { custom: true, maxLength: 40, gen: nullable(100, (h) => `SKU${h % 1_000_000}`) }),
    col('new_altname', 'String', 'Alternative Name', { custom: true, maxLength: 200, gen: nullable(900, (h) => `Alt ${h % 1000}`) }),
    col('new_url', 'String', 'Product Page', { custom: true, maxLength: 200, gen: nullable(400, (h) => `https://shop.example.com/w/${h % 100_000}`) }),
    col('new_email', 'String', 'Support Email', { custom: true, maxLength: 100, gen: nullable(500, (h) => `support+${h % 1000}@example.com`) }),
    col('new_description', 'Memo', 'Description', { custom: true, maxLength: 4000, gen: nullable(300, text(5, 50)) }),
    col('new_notes', 'Memo', 'Notes', { custom: true, maxLength: 1_048_576, gen: nullable(800, text(10, 80)) }),
    col('new_quantity', 'Integer', 'Quantity', { custom: true, gen: int(-50, 100_000) }),
    col('new_priority', 'Integer', 'Priority', { custom: true, gen: nullable(200, int(1, 5)) }),
    col('new_serialnumber', 'BigInt', 'Serial Number', { custom: true, gen: bigint(1_000_000_000_000, 9_000_000_000_000_000) }),
    col('new_batch', 'BigInt', 'Batch', { custom: true, gen: nullable(300, bigint(0, 99_999_999_999)) }),
    col('new_weight', 'Decimal', 'Weight (kg)', { custom: true, precision: 5, gen: nullable(100, decimal(0, 5_000, 5)) }),
    col('new_ratio', 'Decimal', 'Ratio', { custom: true, precision: 10, gen: nullable(200, decimal(-1, 1, 10)) }),
    col('new_rating', 'Decimal', 'Rating', { custom: true, precision: 2, gen: nullable(300, decimal(0, 5, 2)) }),
    col('new_discount', 'Decimal', 'Discount', { custom: true, precision: 4, gen: nullable(500, decimal(0, 0.5, 4)) }),
    col('new_score', 'Double', 'Score', { custom: true, precision: 5, gen: nullable(100, double(-1000, 1000, 5)) }),
    col('new_price', 'Money', 'Price', { custom: true, precision: 2, gen: money(1, 20_000) }),
    col('new_cost', 'Money', 'Cost', { custom: true, precision: 2, gen: money(1, 15_000, 200) }),
    col('new_budget', 'Money', 'Budget', { custom: true, precision: 2, gen: money(100, 9_000_000, 500) }),
    ...currencyColumns,
    col('new_isactive', 'Boolean', 'Is Active', { custom: true, options: YES_NO, gen: bool(0.8) }),
    col('new_haswarranty', 'Boolean', 'Has Warranty', { custom: true, options: YES_NO, gen: bool(0.4) }),
    col('new_category', 'Picklist', 'Category', { custom: true, options: CATEGORY, optionSetName: 'new_widget_new_category', gen: option(CATEGORY) }),
    col('new_color', 'Picklist', 'Color', { custom: true, options: COLOR, optionSetName: 'new_color', globalOptionSet: true, gen: nullable(150, option(COLOR)) }),
    col('new_region', 'Picklist', 'Region', { custom: true, options: REGION, optionSetName: 'new_widget_new_region', gen: option(REGION) }),
    col('new_tags', 'MultiSelectPicklist', 'Tags', { custom: true, options: TAGS, optionSetName: 'new_widget_new_tags', gen: multi(TAGS) }),
    col('new_launchedon', 'DateTime', 'Launched On', { custom: true, behavior: 'UserLocal', gen: nullable(200, dateTime(1500)) }),
    col('new_lastcheckedon', 'DateTime', 'Last Checked (local)', { custom: true, behavior: 'TimeZoneIndependent', gen: nullable(300, dateTime(90)) }),
    col('new_releasedate', 'DateTime', 'Release Date', { custom: true, behavior: 'DateOnly', gen: nullable(100, dateOnly(2000, 180)) }),
    col('new_warrantyexpires', 'DateTime', 'Warranty Expires', { custom: true, behavior: 'DateOnly', gen: nullable(600, dateOnly(100, 1500)) }),
    col('new_accountid', 'Lookup', 'Account', { custom: true, targets: ['account'], gen: nullable(200, lookup(['account'])) }),
    col('new_accountidname', 'String', 'Account Name', { attributeOf: 'new_accountid', maxLength: 160 }),
    col('new_customerid', 'Customer', 'Customer', { custom: true, targets: ['account', 'contact'], gen: nullable(300, lookup(['account', 'contact'], [1, 1])) }),
    col('new_customeridname', 'String', 'Customer Name', { attributeOf: 'new_customerid', maxLength: 160 }),
    col('new_customeridtype', 'EntityName', 'Customer Type', { attributeOf: 'new_customerid' }),
    col('new_externalid', 'Uniqueidentifier', 'External Id', { custom: true, gen: nullable(100, guid()) }),
    col('new_city', 'String', 'Made In', { custom: true, maxLength: 80, gen: oneOf(CITIES) }),
    col('new_summary', 'Virtual', 'Summary (calculated)', { custom: true }),
    col('new_picture', 'Image', 'Picture', { custom: true }),
    col('new_manual', 'File', 'Manual', { custom: true }),
    col('iscustomizable', 'ManagedProperty', 'Customizable'),
  ],
});

export const new_importlog: TableDef = tableDef({
  logicalName: 'new_importlog',
  schemaName: 'new_ImportLog',
  entitySetName: 'new_importlogs',
  displayName: 'Import Log',
  displayCollectionName: 'Import Logs',
  primaryId: 'new_importlogid',
  primaryName: 'new_name',
  changeTracking: false,
  custom: true,
  ownership: 'OrganizationOwned',
  objectTypeCode: 10_002,
  rows: (n) => n,
  columns: [
    col('new_name', 'String', 'Name', { custom: true, maxLength: 100, gen: (h, i) => `Import ${i} (${h % 1000})` }),
    col('new_source', 'Picklist', 'Source', { custom: true, options: SOURCE, optionSetName: 'new_importlog_new_source', gen: option(SOURCE) }),
    col('new_rowsimported', 'Integer', 'Rows Imported', { custom: true, gen: int(0, 50_000) }),
    col('new_startedon', 'DateTime', 'Started On', { custom: true, behavior: 'UserLocal', gen: dateTime(1000) }),
    col('new_succeeded', 'Boolean', 'Succeeded', { custom: true, options: YES_NO, gen: bool(0.9) }),
    col('new_message', 'Memo', 'Message', { custom: true, maxLength: 2000, gen: nullable(500, text(3, 20)) }),
  ],
});

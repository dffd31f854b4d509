/**
 * Metadata documents as the Web API returns them: EntityDefinitions entries, attribute entries (typed by their
 * `@odata.type` cast, with `AttributeType`, `AttributeTypeName.Value`, `AttributeOf`, behaviours, precision,
 * targets) and option sets with the Label shape.
 */
import { DATETIME_MAX, DATETIME_MIN, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, MONEY_MAX, MONEY_MIN } from './extremes.ts';
import { hashString, mix32 } from './hash.ts';
import { KIND_INFO, type ColumnDef, type OptionDef, type TableDef } from './schema.ts';

type Json = Record<string, unknown>;

/** A deterministic MetadataId for a name. */
export function metadataId(name: string): string {
  const a = hashString(name);
  const b = mix32(a ^ 0x9e3779b9);
  const c = mix32(b ^ 0x85ebca6b);
  const d = mix32(c ^ 0xc2b2ae35);
  const hex = [a, b, c, d].map((x) => x.toString(16).padStart(8, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The Label complex type for an English label. */
export function label(text: string, id: string): Json {
  const l = { Label: text, LanguageCode: 1033, IsManaged: true, MetadataId: metadataId(`label:${id}`), HasChanged: null };
  return { LocalizedLabels: text ? [l] : [], UserLocalizedLabel: text ? l : null };
}

const managed = (value: boolean, name: string) => ({ Value: value, CanBeChanged: true, ManagedPropertyLogicalName: name });

function schemaName(logical: string, custom: boolean): string {
  if (custom && logical.includes('_')) {
    const [prefix, rest] = [logical.slice(0, logical.indexOf('_')), logical.slice(logical.indexOf('_') + 1)];
    return `${prefix}_${rest.charAt(0).toUpperCase()}${rest.slice(1)}`;
  }
  return logical.charAt(0).toUpperCase() + logical.slice(1);
}

/** An EntityDefinitions entry (without Attributes). */
export function entityDoc(t: TableDef): Json {
  return {
    MetadataId: metadataId(`entity:${t.logicalName}`),
    LogicalName: t.logicalName,
    SchemaName: schemaName(t.logicalName, t.custom),
    EntitySetName: t.entitySetName,
    LogicalCollectionName: t.entitySetName,
    CollectionSchemaName: schemaName(t.entitySetName, t.custom),
    PrimaryIdAttribute: t.primaryId,
    PrimaryNameAttribute: t.primaryName,
    PrimaryImageAttribute: t.logicalName === 'account' ? 'entityimage' : null,
    ObjectTypeCode: t.objectTypeCode,
    OwnershipType: t.ownership,
    TableType: 'Standard',
    IsCustomEntity: t.custom,
    IsManaged: !t.custom,
    IsActivity: false,
    IsIntersect: false,
    IsPrivate: false,
    IsLogicalEntity: false,
    IsValidForAdvancedFind: true,
    ChangeTrackingEnabled: t.changeTracking,
    CanChangeTrackingBeEnabled: managed(true, 'canchangetrackingbeenabled'),
    IsAuditEnabled: managed(false, 'canmodifyauditsettings'),
    IsCustomizable: managed(true, 'iscustomizable'),
    DisplayName: label(t.displayName, `${t.logicalName}:dn`),
    DisplayCollectionName: label(t.displayCollectionName, `${t.logicalName}:dcn`),
    Description: label('', `${t.logicalName}:desc`),
  };
}

function optionDoc(o: OptionDef, id: string): Json {
  return {
    Value: o.value,
    Color: null,
    IsManaged: false,
    ExternalValue: '',
    ParentValues: [],
    Label: label(o.label, `${id}:${o.value}`),
    Description: label('', `${id}:${o.value}:d`),
    ...(o.state !== undefined ? { State: o.state, TransitionData: null } : {}),
  };
}

/** The OptionSet of a choice-like column. */
export function optionSetDoc(table: string, c: ColumnDef): Json | null {
  const opts = c.options;
  if (!opts) return null;
  const name = c.optionSetName ?? `${table}_${c.logicalName}`;
  const id = `optionset:${c.globalOptionSet ? '' : table + ':'}${name}`;
  const base = { MetadataId: metadataId(id), Name: name, IsGlobal: c.globalOptionSet ?? false, IsCustomOptionSet: c.custom ?? false, IsManaged: !c.custom, DisplayName: label(c.displayName, id), Description: label('', `${id}:d`) };
  if (c.kind === 'Boolean') {
    const f = opts.find((o) => o.value === 0) ?? { value: 0, label: 'No' };
    const t = opts.find((o) => o.value === 1) ?? { value: 1, label: 'Yes' };
    return { ...base, OptionSetType: 'Boolean', TrueOption: optionDoc(t, id), FalseOption: optionDoc(f, id) };
  }
  const type = c.kind === 'State' ? 'State' : c.kind === 'Status' ? 'Status' : 'Picklist';
  return { ...base, OptionSetType: type, Options: opts.map((o) => optionDoc(o, id)) };
}

/** Base AttributeMetadata properties (what an uncast `Attributes` query can select). */
export function baseAttributeDoc(t: TableDef, c: ColumnDef, columnNumber: number): Json {
  const info = KIND_INFO[c.kind];
  return {
    '@odata.type': `#Microsoft.Dynamics.CRM.${info.cast}`,
    MetadataId: metadataId(`attribute:${t.logicalName}.${c.logicalName}`),
    LogicalName: c.logicalName,
    SchemaName: schemaName(c.logicalName, c.custom ?? false),
    EntityLogicalName: t.logicalName,
    AttributeOf: c.attributeOf ?? null,
    AttributeType: info.attributeType,
    AttributeTypeName: { Value: info.typeName },
    ColumnNumber: columnNumber,
    IsCustomAttribute: c.custom ?? false,
    IsPrimaryId: c.system === 'pk',
    IsPrimaryName: c.logicalName === t.primaryName,
    IsLogical: c.attributeOf !== undefined,
    IsSecured: false,
    IsValidForRead: true,
    IsValidForCreate: !c.system && c.attributeOf === undefined && info.data,
    IsValidForUpdate: !c.system && c.attributeOf === undefined && info.data,
    IsValidODataAttribute: info.data && c.attributeOf === undefined,
    IsRetrievable: true,
    IsFilterable: info.data,
    IsSearchable: info.data,
    SourceType: 0,
    RequiredLevel: { Value: c.system === 'pk' || c.logicalName === t.primaryName ? 'SystemRequired' : 'None', CanBeChanged: !c.system, ManagedPropertyLogicalName: 'canmodifyrequirementlevelsettings' },
    DisplayName: label(c.displayName, `${t.logicalName}.${c.logicalName}`),
    Description: label('', `${t.logicalName}.${c.logicalName}:d`),
  };
}

/** A JSON number written with exactly these digits by `JSON.stringify` (int64 limits a double cannot hold). */
function rawNumber(text: string): unknown {
  return (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(text);
}

/** Properties the type-specific cast adds. */
export function castProperties(c: ColumnDef): Json {
  switch (c.kind) {
    case 'String':
      return { MaxLength: c.maxLength ?? 100, DatabaseLength: (c.maxLength ?? 100) * 2, Format: 'Text', FormatName: { Value: 'Text' } };
    case 'Memo':
      return { MaxLength: c.maxLength ?? 2000, Format: 'TextArea' };
    case 'Integer':
      return { MinValue: INT32_MIN, MaxValue: INT32_MAX, Format: 'None' };
    case 'BigInt':
      return { MinValue: rawNumber(INT64_MIN), MaxValue: rawNumber(INT64_MAX) };
    case 'Decimal':
      return { Precision: c.precision ?? 2, MinValue: -100000000000, MaxValue: 100000000000, ImeMode: 'Auto' };
    case 'Double':
      return { Precision: c.precision ?? 2, MinValue: -100000000000, MaxValue: 100000000000, ImeMode: 'Auto' };
    case 'Money':
      return { Precision: c.precision ?? 2, PrecisionSource: 2, MinValue: rawNumber(MONEY_MIN.split('.')[0]!), MaxValue: rawNumber(MONEY_MAX.split('.')[0]!), IsBaseCurrency: false, CalculationOf: null, ImeMode: 'Auto' };
    case 'DateTime': {
      const b = c.behavior ?? 'UserLocal';
      return { Format: b === 'DateOnly' ? 'DateOnly' : 'DateAndTime', DateTimeBehavior: { Value: b }, CanChangeDateTimeBehavior: managed(!c.system, 'canchangedatetimebehavior'), MinSupportedValue: DATETIME_MIN, MaxSupportedValue: DATETIME_MAX };
    }
    case 'Boolean':
      return { DefaultValue: false };
    case 'Picklist':
    case 'MultiSelectPicklist':
    case 'State':
    case 'Status':
      return { DefaultFormValue: -1, ...(c.kind === 'MultiSelectPicklist' ? { MaxSelectedOptionsCount: 150 } : {}) };
    case 'Lookup':
    case 'Customer':
    case 'Owner':
      return { Targets: [...(c.targets ?? [])], Format: 'None' };
    case 'Image':
      return { IsPrimaryImage: c.logicalName === 'entityimage', MaxHeight: 144, MaxWidth: 144, MaxSizeInKB: 10240 };
    case 'File':
      return { MaxSizeInKB: 32768 };
    default:
      return {};
  }
}

/** True for columns whose metadata has OptionSet/GlobalOptionSet navigation properties. */
export function hasOptionSet(c: ColumnDef): boolean {
  return c.options !== undefined && (c.kind === 'Picklist' || c.kind === 'MultiSelectPicklist' || c.kind === 'State' || c.kind === 'Status' || c.kind === 'Boolean');
}

/** The full attribute document (base plus cast properties). */
export function attributeDoc(t: TableDef, c: ColumnDef, columnNumber: number): Json {
  return { ...baseAttributeDoc(t, c, columnNumber), ...castProperties(c) };
}

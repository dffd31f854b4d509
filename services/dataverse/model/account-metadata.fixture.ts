/**
 * Test fixture: metadata bodies of an `account`-like table with one column of every Dataverse type (synced and
 * skipped), shaped like the Web API responses to `attributeQueries('account')`. Used by the unit tests of
 * model/ and mapping/. Not used at run time.
 */
import type { CastBodies } from './attribute-details.ts';

const label = (text: string): unknown => ({
  LocalizedLabels: [{ Label: text, LanguageCode: 1033, IsManaged: true, MetadataId: '00000000-0000-0000-0000-000000000001', HasChanged: null }],
  UserLocalizedLabel: { Label: text, LanguageCode: 1033, IsManaged: true, MetadataId: '00000000-0000-0000-0000-000000000001', HasChanged: null },
});

function attr(logicalName: string, attributeType: string, typeName: string | undefined, extra: Record<string, unknown> = {}): unknown {
  return {
    '@odata.type': '#Microsoft.Dynamics.CRM.AttributeMetadata',
    MetadataId: `00000000-0000-0000-0000-${String(logicalName.length).padStart(12, '0')}`,
    LogicalName: logicalName,
    SchemaName: logicalName,
    AttributeType: attributeType,
    AttributeTypeName: typeName === undefined ? null : { Value: typeName },
    AttributeOf: null,
    IsValidForRead: true,
    IsPrimaryId: false,
    IsPrimaryName: false,
    IsLogical: false,
    IsCustomAttribute: logicalName.startsWith('new_'),
    ...extra,
  };
}

/** The `EntityDefinitions` item of the table. */
export const ACCOUNT_ENTITY = {
  MetadataId: '70816501-edb9-4740-a16c-6a5efbc05d84',
  LogicalName: 'account',
  EntitySetName: 'accounts',
  PrimaryIdAttribute: 'accountid',
  PrimaryNameAttribute: 'name',
  ChangeTrackingEnabled: true,
  IsIntersect: false,
  IsPrivate: false,
  IsValidForAdvancedFind: true,
  IsCustomEntity: false,
  TableType: 'Standard',
};

/** Body of the base `Attributes` request (deliberately not sorted). */
export const ACCOUNT_ATTRIBUTES = {
  '@odata.context': "https://org.crm.dynamics.com/api/data/v9.2/$metadata#EntityDefinitions('account')/Attributes",
  value: [
    attr('name', 'String', 'StringType', { IsPrimaryName: true }),
    attr('revenue', 'Money', 'MoneyType'),
    attr('accountid', 'Uniqueidentifier', 'UniqueidentifierType', { IsPrimaryId: true }),
    attr('description', 'Memo', 'MemoType'),
    attr('numberofemployees', 'Integer', 'IntegerType'),
    attr('versionnumber', 'BigInt', 'BigIntType'),
    attr('exchangerate', 'Decimal', 'DecimalType'),
    attr('new_ratio', 'Decimal', 'DecimalType'),
    attr('address1_latitude', 'Double', 'DoubleType'),
    attr('accountcategorycode', 'Picklist', 'PicklistType'),
    attr('statecode', 'State', 'StateType'),
    attr('statuscode', 'Status', 'StatusType'),
    attr('new_interests', 'Virtual', 'MultiSelectPicklistType'),
    attr('donotemail', 'Boolean', 'BooleanType'),
    attr('modifiedon', 'DateTime', 'DateTimeType'),
    attr('new_birthday', 'DateTime', 'DateTimeType'),
    attr('new_localtime', 'DateTime', 'DateTimeType'),
    attr('parentaccountid', 'Lookup', 'LookupType'),
    attr('new_customer', 'Customer', 'CustomerType'),
    attr('ownerid', 'Owner', 'OwnerType'),
    attr('transactioncurrencyid', 'Lookup', 'LookupType'),
    attr('owneridname', 'String', 'StringType', { AttributeOf: 'ownerid' }),
    attr('owneridtype', 'EntityName', 'EntityNameType', { AttributeOf: 'ownerid' }),
    attr('entityimage', 'Virtual', 'ImageType'),
    attr('new_document', 'Virtual', 'FileType'),
    attr('new_virtual', 'Virtual', 'VirtualType'),
    attr('new_entityname', 'EntityName', 'EntityNameType'),
    attr('new_parties', 'PartyList', 'PartyListType'),
    attr('new_calendar', 'CalendarRules', 'CalendarRulesType'),
    attr('new_managed', 'ManagedProperty', 'ManagedPropertyType'),
    attr('new_future', 'Virtual', 'CustomType'),
    attr('new_secret', 'String', 'StringType', { IsValidForRead: false }),
    attr('new_notype', 'String', undefined),
  ],
};

const optionSet = (options: Array<[number, string]>): unknown => ({
  Options: options.map(([Value, text]) => ({ Value, Label: label(text), Description: label(''), Color: null, IsManaged: false })),
});

/** Bodies of the cast requests, keyed like `attributeQueries`. */
export const ACCOUNT_CASTS: CastBodies = {
  picklist: {
    value: [
      {
        LogicalName: 'accountcategorycode',
        OptionSet: optionSet([
          [1, 'Preferred Customer'],
          [2, 'Standard'],
        ]),
        GlobalOptionSet: null,
      },
    ],
  },
  multiselect: {
    value: [{ LogicalName: 'new_interests', OptionSet: null, GlobalOptionSet: optionSet([[1, 'Hiking'], [2, 'Skiing'], [3, 'Camping']]) }],
  },
  state: { value: [{ LogicalName: 'statecode', OptionSet: optionSet([[0, 'Active'], [1, 'Inactive']]) }] },
  status: { value: [{ LogicalName: 'statuscode', OptionSet: optionSet([[1, 'Active'], [2, 'Inactive']]) }] },
  boolean: {
    value: [
      {
        LogicalName: 'donotemail',
        OptionSet: { TrueOption: { Value: 1, Label: label('Do Not Allow') }, FalseOption: { Value: 0, Label: label('Allow') } },
      },
    ],
  },
  datetime: {
    value: [
      { LogicalName: 'modifiedon', DateTimeBehavior: { Value: 'UserLocal' }, Format: 'DateAndTime' },
      { LogicalName: 'new_birthday', DateTimeBehavior: { Value: 'DateOnly' }, Format: 'DateOnly' },
      { LogicalName: 'new_localtime', DateTimeBehavior: { Value: 'TimeZoneIndependent' }, Format: 'DateAndTime' },
    ],
  },
  decimal: {
    value: [
      { LogicalName: 'exchangerate', Precision: 10 },
      { LogicalName: 'new_ratio', Precision: 2 },
    ],
  },
  money: { value: [{ LogicalName: 'revenue', Precision: 2, PrecisionSource: 2 }] },
  lookup: {
    value: [
      { LogicalName: 'parentaccountid', Targets: ['account'] },
      { LogicalName: 'new_customer', Targets: ['contact', 'account'] },
      { LogicalName: 'ownerid', Targets: ['team', 'systemuser'] },
      { LogicalName: 'transactioncurrencyid', Targets: ['transactioncurrency'] },
    ],
  },
};

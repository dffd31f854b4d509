import { describe, expect, it } from 'vitest';
import { ACCOUNT_ENTITY } from './account-metadata.fixture.ts';
import { attributeQueries } from './attribute-queries.ts';
import { ENTITY_DEFINITIONS_PATH, parseEntityDefinitions } from './entity-definitions.ts';

describe('parseEntityDefinitions', () => {
  it('parses tables and lists unreadable ones as skipped, both sorted', () => {
    const result = parseEntityDefinitions({
      '@odata.context': 'https://org.crm.dynamics.com/api/data/v9.2/$metadata#EntityDefinitions(...)',
      value: [
        ACCOUNT_ENTITY,
        {
          LogicalName: 'packagehistory',
          EntitySetName: 'packagehistories',
          PrimaryIdAttribute: 'packagehistoryid',
          PrimaryNameAttribute: null,
          ChangeTrackingEnabled: false,
          IsIntersect: true,
          IsPrivate: true,
        },
        { LogicalName: 'internalthing', EntitySetName: null, PrimaryIdAttribute: 'internalthingid' },
        { LogicalName: 'nokey', EntitySetName: 'nokeys', PrimaryIdAttribute: null },
        { LogicalName: 'Bad Name', EntitySetName: 'x', PrimaryIdAttribute: 'x' },
        { LogicalName: 'evil', EntitySetName: "evils?$x='1'", PrimaryIdAttribute: 'evilid' },
        { EntitySetName: 'nameless' },
        'not an object',
      ],
    });
    expect(result.tables).toEqual([
      {
        logicalName: 'account',
        entitySetName: 'accounts',
        primaryIdAttribute: 'accountid',
        primaryNameAttribute: 'name',
        changeTrackingEnabled: true,
        isIntersect: false,
        isPrivate: false,
        tableType: 'Standard',
      },
      {
        logicalName: 'packagehistory',
        entitySetName: 'packagehistories',
        primaryIdAttribute: 'packagehistoryid',
        primaryNameAttribute: null,
        changeTrackingEnabled: false,
        isIntersect: true,
        isPrivate: true,
        tableType: null,
      },
    ]);
    expect(result.skipped).toEqual([
      { logicalName: 'Bad Name', reason: 'not a valid logical name' },
      { logicalName: 'evil', reason: expect.stringMatching(/invalid EntitySetName/) },
      { logicalName: 'internalthing', reason: expect.stringMatching(/no EntitySetName/) },
      { logicalName: 'nokey', reason: 'no valid PrimaryIdAttribute' },
    ]);
  });

  it.each([[undefined], ['text'], [{ values: [] }]])('refuses %j', (body) => {
    expect(() => parseEntityDefinitions(body)).toThrow(expect.objectContaining({ code: 'DATAVERSE_PAYLOAD_INVALID' }));
  });

  it('never expands Attributes in the table list request', () => {
    expect(ENTITY_DEFINITIONS_PATH).not.toMatch(/expand/i);
    expect(ENTITY_DEFINITIONS_PATH).toMatch(/^EntityDefinitions\?\$select=LogicalName,EntitySetName,/);
  });
});

describe('attributeQueries', () => {
  it('lists the base request and one request per cast', () => {
    expect(attributeQueries('account')).toEqual([
      {
        key: 'attributes',
        path:
          "EntityDefinitions(LogicalName='account')/Attributes?$select=LogicalName,SchemaName,AttributeType,AttributeTypeName," +
          'AttributeOf,IsValidForRead,IsPrimaryId,IsPrimaryName,IsLogical,IsCustomAttribute',
      },
      { key: 'picklist', path: "EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.PicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet,GlobalOptionSet" },
      { key: 'multiselect', path: "EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.MultiSelectPicklistAttributeMetadata?$select=LogicalName&$expand=OptionSet,GlobalOptionSet" },
      { key: 'state', path: "EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.StateAttributeMetadata?$select=LogicalName&$expand=OptionSet,GlobalOptionSet" },
      { key: 'status', path: "EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.StatusAttributeMetadata?$select=LogicalName&$expand=OptionSet,GlobalOptionSet" },
      { key: 'boolean', path: "EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.BooleanAttributeMetadata?$select=LogicalName&$expand=OptionSet" },
      { key: 'datetime', path: "EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.DateTimeAttributeMetadata?$select=LogicalName,DateTimeBehavior,Format" },
      { key: 'decimal', path: "EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.DecimalAttributeMetadata?$select=LogicalName,Precision" },
      { key: 'money', path: "EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.MoneyAttributeMetadata?$select=LogicalName,Precision,PrecisionSource" },
      { key: 'lookup', path: "EntityDefinitions(LogicalName='account')/Attributes/Microsoft.Dynamics.CRM.LookupAttributeMetadata?$select=LogicalName,Targets" },
    ]);
  });

  it.each([["account')/x"], ['Account'], [''], ['a b'], ['1abc']])('refuses the table name %j', (name) => {
    expect(() => attributeQueries(name)).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

import { describe, expect, it } from 'vitest';
import { metadataChangesQueryText, metadataChangesResponse } from './metadata-changes.ts';
import { attributeDoc, entityDoc, optionSetDoc } from './metadata-docs.ts';
import { TABLES } from './tables-all.ts';
import { ALL_METADATA, INVALID_ARGUMENT, parseEntityQuery, type MetadataTable } from './metadata-query.ts';

type Json = Record<string, unknown>;

const tables: MetadataTable[] = TABLES.map((def) => ({ def, columns: def.columns }));
const BASE = 'https://org.example/api/data/v9.2';

const byName = (names: string[], operator: 'Equals' | 'In' = 'Equals') =>
  operator === 'In'
    ? [{ ConditionOperator: 'In', PropertyName: 'LogicalName', Value: { Type: 'System.String[]', Value: `[${names.map((n) => `'${n}'`).join(',')}]` } }]
    : names.map((n) => ({ ConditionOperator: 'Equals', PropertyName: 'LogicalName', Value: { Type: 'System.String', Value: n } }));

/** The query of the documentation: two tables by name, SchemaName and the attributes' LogicalName. */
const docsQuery = (extra: Json = {}): Json => ({
  Properties: { AllProperties: false, PropertyNames: ['SchemaName', 'Attributes'] },
  Criteria: { FilterOperator: 'Or', Conditions: byName(['account', 'contact']) },
  AttributeQuery: { Properties: { AllProperties: false, PropertyNames: ['LogicalName'] } },
  LabelQuery: { FilterLanguages: [1033], MissingLabelBehavior: 0 },
  ...extra,
});

function run(query: Json): Json {
  return metadataChangesResponse(tables, parseEntityQuery(JSON.stringify(query)), BASE, '7!12/02/2026 10:00:00');
}

const entities = (body: Json) => body.EntityMetadata as Json[];
const attributesOf = (body: Json, table: string) => (entities(body).find((e) => e.LogicalName === table)?.Attributes ?? []) as Json[];

describe('RetrieveMetadataChanges response', () => {
  it('has the documented envelope', () => {
    const body = run(docsQuery());
    expect(body['@odata.context']).toBe(`${BASE}/$metadata#Microsoft.Dynamics.CRM.RetrieveMetadataChangesResponse`);
    expect(body.ServerVersionStamp).toBe('7!12/02/2026 10:00:00');
    expect(body.DeletedMetadata).toEqual({ Count: 0, IsReadOnly: false, Keys: [], Values: [] });
  });

  it.each([
    ['Equals conditions under Or', docsQuery(), ['account', 'contact']],
    ['In with the documented string list', docsQuery({ Criteria: { FilterOperator: 'And', Conditions: byName(['contact', 'new_widget', 'nope'], 'In') } }), ['contact', 'new_widget']],
    ['NotIn', docsQuery({ Criteria: { Conditions: [{ ConditionOperator: 'NotIn', PropertyName: 'LogicalName', Value: { Type: 'System.String[]', Value: TABLES.slice(1).map((t) => t.logicalName) } }] } }), [TABLES[0]!.logicalName]],
    ['a managed boolean by its Value', docsQuery({ Criteria: { Conditions: [{ ConditionOperator: 'Equals', PropertyName: 'CanChangeTrackingBeEnabled', Value: { Type: 'System.Boolean', Value: 'True' } }, ...byName(['team'])] } }), ['team']],
    ['nested filters', docsQuery({ Criteria: { FilterOperator: 'And', Conditions: [], Filters: [{ FilterOperator: 'Or', Conditions: byName(['account', 'team']) }, { FilterOperator: 'Or', Conditions: byName(['team']) }] } }), ['team']],
    ['no criteria', docsQuery({ Criteria: null }), TABLES.map((t) => t.logicalName)],
  ])('selects tables: %s', (_name, query, expected) => {
    expect(entities(run(query)).map((e) => e.LogicalName)).toEqual(expected);
  });

  it('fills the requested properties and MetadataId, LogicalName, HasChanged; every other property is null', () => {
    const account = entities(run(docsQuery())).find((e) => e.LogicalName === 'account')!;
    const full = entityDoc(TABLES.find((t) => t.logicalName === 'account')!);
    expect(Object.keys(account).sort()).toEqual([...Object.keys(full), 'HasChanged', 'Attributes'].sort());
    expect(account).toMatchObject({ LogicalName: 'account', SchemaName: 'Account', MetadataId: full.MetadataId, HasChanged: null, EntitySetName: null, PrimaryIdAttribute: null, DisplayName: null });
  });

  it('gives each attribute its complex type and, when asked, the properties of its type from the same documents as EntityDefinitions', () => {
    const query = docsQuery({
      Criteria: { FilterOperator: 'Or', Conditions: byName(['new_widget']) },
      AttributeQuery: { Properties: { PropertyNames: ['AttributeTypeName', 'OptionSet', 'Targets', 'Precision', 'DateTimeBehavior'] } },
    });
    const attrs = attributesOf(run(query), 'new_widget');
    const widget = TABLES.find((t) => t.logicalName === 'new_widget')!;
    expect(attrs.map((a) => a.LogicalName)).toEqual(widget.columns.map((c) => c.logicalName));
    widget.columns.forEach((c, n) => {
      const a = attrs[n]!;
      const doc = attributeDoc(widget, c, n + 1);
      const cast = String(doc['@odata.type']);
      expect(a['@odata.type']).toBe(cast === '#Microsoft.Dynamics.CRM.AttributeMetadata' ? undefined : cast.replace('CRM.', 'CRM.Complex')); // the base type is not annotated
      expect(a.AttributeTypeName).toEqual(doc.AttributeTypeName);
      expect(a.MetadataId).toBe(doc.MetadataId);
      expect(a.IsValidForRead).toBeNull();
      for (const p of ['Targets', 'Precision', 'DateTimeBehavior'] as const) expect(a[p]).toEqual(doc[p]); // absent from the other types
      if ('OptionSet' in a) expect(a.OptionSet).toEqual(optionSetDoc('new_widget', c));
    });
    const color = attrs.find((a) => a.LogicalName === 'new_color')!;
    expect(color.OptionSet).toMatchObject({ Name: 'new_color', IsGlobal: true });
    expect((color.OptionSet as Json).Options).toHaveLength(TABLES.find((t) => t.logicalName === 'new_widget')!.columns.find((c) => c.logicalName === 'new_color')!.options!.length);
    expect(attrs.find((a) => a.LogicalName === 'new_isactive')!.OptionSet).toMatchObject({ OptionSetType: 'Boolean', TrueOption: { Value: 1 }, FalseOption: { Value: 0 } });
  });

  it('returns attributes with all their properties when Attributes is asked for without an AttributeQuery', () => {
    const attrs = attributesOf(run(docsQuery({ AttributeQuery: undefined })), 'account');
    expect(attrs.find((a) => a.LogicalName === 'accountid')).toMatchObject({ AttributeTypeName: { Value: 'UniqueidentifierType' }, IsPrimaryId: true, IsValidForRead: true });
  });

  it('filters attributes with the AttributeQuery criteria', () => {
    const query = docsQuery({
      AttributeQuery: {
        Properties: { PropertyNames: ['LogicalName'] },
        Criteria: { FilterOperator: 'And', Conditions: [{ ConditionOperator: 'Equals', PropertyName: 'AttributeTypeName', Value: { Type: 'Microsoft.Xrm.Sdk.Metadata.AttributeTypeDisplayName', Value: 'PicklistType' } }] },
      },
    });
    const contact = TABLES.find((t) => t.logicalName === 'contact')!;
    expect(attributesOf(run(query), 'contact').map((a) => a.LogicalName)).toEqual(contact.columns.filter((c) => c.kind === 'Picklist').map((c) => c.logicalName));
  });

  it('leaves Attributes null when they are not asked for', () => {
    expect(entities(run(docsQuery({ Properties: { PropertyNames: ['SchemaName'] }, AttributeQuery: undefined })))[0]!.Attributes).toBeNull();
  });

  it.each([
    [[1033], 0, 'Account', 1],
    [[1031], 0, null, 0],
    [[1031], 1, 'Account', 1],
  ])('LabelQuery FilterLanguages %j, MissingLabelBehavior %i', (languages, missing, user, count) => {
    const query = docsQuery({ Properties: { PropertyNames: ['DisplayName'] }, AttributeQuery: undefined, LabelQuery: { FilterLanguages: languages, MissingLabelBehavior: missing } });
    const label = entities(run(query)).find((e) => e.LogicalName === 'account')!.DisplayName as Json;
    expect((label.UserLocalizedLabel as Json | null)?.Label ?? null).toBe(user);
    expect(label.LocalizedLabels).toHaveLength(count);
  });

  it('serves every table with every property without a Query', () => {
    const body = metadataChangesResponse(tables, ALL_METADATA, BASE, '1!01/01/2026 00:00:00');
    expect(entities(body)).toHaveLength(TABLES.length);
    expect(entities(body)[0]).toMatchObject({ EntitySetName: TABLES[0]!.entitySetName });
  });
});

describe('RetrieveMetadataChanges refuses what it cannot run', () => {
  it.each([
    ['not JSON', '{"Properties":', /not a JSON EntityQueryExpression/],
    ['a condition on a collection', JSON.stringify(docsQuery({ Criteria: { Conditions: [{ ConditionOperator: 'Equals', PropertyName: 'Attributes', Value: { Type: 'System.String', Value: 'x' } }] } })), /'Attributes' cannot be evaluated: .*not collections, labels/],
    ['a condition on a label', JSON.stringify(docsQuery({ Criteria: { Conditions: [{ ConditionOperator: 'Equals', PropertyName: 'DisplayName', Value: { Type: 'System.String', Value: 'x' } }] } })), /'DisplayName' cannot be evaluated/],
    ['an attribute condition on a collection', JSON.stringify(docsQuery({ AttributeQuery: { Properties: { PropertyNames: ['LogicalName'] }, Criteria: { Conditions: [{ ConditionOperator: 'Equals', PropertyName: 'Targets', Value: { Type: 'System.String', Value: 'x' } }] } } })), /'Targets' cannot be evaluated/],
    ['an unknown property', JSON.stringify(docsQuery({ Properties: { PropertyNames: ['Attributes', 'Nope'] } })), /'Nope' is not a property of EntityMetadata/],
    ['an unknown attribute property', JSON.stringify(docsQuery({ AttributeQuery: { Properties: { PropertyNames: ['Nope'] } } })), /'Nope' is not a property of AttributeMetadata/],
    ['an AttributeQuery without Attributes', JSON.stringify(docsQuery({ Properties: { PropertyNames: ['SchemaName'] } })), /Attributes must be one of the Properties/],
    ['a relationship query', JSON.stringify(docsQuery({ RelationshipQuery: { Properties: { PropertyNames: ['SchemaName'] } } })), /RelationshipQuery is not supported/],
    ['an unknown operator', JSON.stringify(docsQuery({ Criteria: { Conditions: [{ ConditionOperator: 'Like', PropertyName: 'LogicalName', Value: { Type: 'System.String', Value: 'a%' } }] } })), /operator 'Like'/],
    ['an unknown value type', JSON.stringify(docsQuery({ Criteria: { Conditions: [{ ConditionOperator: 'Equals', PropertyName: 'LogicalName', Value: { Type: 'System.Char', Value: 'a' } }] } })), /value type 'System.Char'/],
    ['a bad boolean', JSON.stringify(docsQuery({ Criteria: { Conditions: [{ ConditionOperator: 'Equals', PropertyName: 'IsCustomEntity', Value: { Type: 'System.Boolean', Value: 'yes' } }] } })), /not a System.Boolean/],
    ['Equals with a list', JSON.stringify(docsQuery({ Criteria: { Conditions: [{ ConditionOperator: 'Equals', PropertyName: 'LogicalName', Value: { Type: 'System.String[]', Value: "['a','b']" } }] } })), /takes one value/],
  ])('%s', (_name, text, message) => {
    expect(() => parseEntityQuery(text)).toThrow(expect.objectContaining({ code: INVALID_ARGUMENT, message: expect.stringMatching(message) }));
  });

  it.each([
    ['Query=@p1,ClientVersionStamp=@p2', /'ClientVersionStamp' of RetrieveMetadataChanges is not supported/],
    ['Query={"Properties":{}}', /as a parameter alias/],
    ['Query=@p9', /alias '@p9' has no value/],
  ])('parameters %s', (params, message) => {
    expect(() => metadataChangesQueryText(params, new URLSearchParams('@p1=%7B%7D'))).toThrow(expect.objectContaining({ code: INVALID_ARGUMENT, message: expect.stringMatching(message) }));
  });

  it('reads the Query through its alias, or none', () => {
    expect(metadataChangesQueryText('Query=@p1', new URLSearchParams('@p1=%7B%22a%22%3A1%7D'))).toBe('{"a":1}');
    expect(metadataChangesQueryText('', new URLSearchParams())).toBeUndefined();
  });
});

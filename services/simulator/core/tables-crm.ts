/** The main CRM tables (account, contact, opportunity); their base row count is `--rows`. */
import { combine, pick } from './hash.ts';
import type { OptionDef, TableDef } from './schema.ts';
import { YES_NO, tableDef } from './gen-system-columns.ts';
import { bool, col, company, dateOnly, dateTime, int, lookup, multi, nullable, oneOf, option, options, personName, text } from './gen-columns.ts';
import { currencyColumns, money } from './tables-reference.ts';
import { CITIES, PRODUCTS } from './gen-words.ts';

const INDUSTRY = options(['Accounting', 'Agriculture', 'Broadcasting', 'Brokers', 'Building Supply', 'Business Services', 'Consulting', 'Consumer Services', 'Design', 'Distributors', 'Education', 'Financial', 'Manufacturing', 'Retail', 'Transportation']);
const CATEGORY = options(['Preferred Customer', 'Standard']);
const CUSTOMER_TYPE = options(['Competitor', 'Consultant', 'Customer', 'Investor', 'Partner', 'Influencer', 'Press', 'Prospect', 'Reseller', 'Supplier', 'Vendor', 'Other']);
const GENDER = options(['Male', 'Female']);
const FAMILY = options(['Single', 'Married', 'Divorced', 'Widowed']);
const INTERESTS = options(['Hiking', 'Mountain Climbing', 'Skiing', 'Camping', 'Sailing', 'Cycling'], 100_000_000);
const RATING = options(['Hot', 'Warm', 'Cold']);
const STAGE = options(['Qualify', 'Develop', 'Propose', 'Close'], 0);
const OPP_STATES: OptionDef[] = [
  { value: 0, label: 'Open' },
  { value: 1, label: 'Won' },
  { value: 2, label: 'Lost' },
];
const OPP_STATUSES: OptionDef[] = [
  { value: 1, label: 'In Progress', state: 0 },
  { value: 2, label: 'On Hold', state: 0 },
  { value: 3, label: 'Won', state: 1 },
  { value: 4, label: 'Canceled', state: 2 },
  { value: 5, label: 'Out-Sold', state: 2 },
];

export const account: TableDef = tableDef({
  logicalName: 'account',
  schemaName: 'Account',
  entitySetName: 'accounts',
  displayName: 'Account',
  displayCollectionName: 'Accounts',
  primaryId: 'accountid',
  primaryName: 'name',
  changeTracking: true,
  custom: false,
  ownership: 'UserOwned',
  objectTypeCode: 1,
  rows: (n) => n,
  columns: [
    col('name', 'String', 'Account Name', { maxLength: 160, gen: company() }),
    col('accountnumber', 'String', 'Account Number', { maxLength: 20, gen: nullable(200, (h) => `AC-${(h % 1_000_000).toString().padStart(6, '0')}`) }),
    col('telephone1', 'String', 'Main Phone', { maxLength: 50, gen: nullable(100, (h) => `+1 425 555 ${(h % 10_000).toString().padStart(4, '0')}`) }),
    col('emailaddress1', 'String', 'Email', { maxLength: 100, gen: nullable(150, (h) => `info${h % 997}@example.com`) }),
    col('address1_city', 'String', 'Address 1: City', { maxLength: 80, gen: nullable(50, oneOf(CITIES)) }),
    col('websiteurl', 'String', 'Website', { maxLength: 200, gen: nullable(300, (h) => `https://www.example${h % 500}.com`) }),
    col('revenue', 'Money', 'Annual Revenue', { precision: 2, gen: money(1_000, 50_000_000, 150) }),
    col('creditlimit', 'Money', 'Credit Limit', { precision: 2, gen: money(0, 1_000_000, 400) }),
    ...currencyColumns,
    col('numberofemployees', 'Integer', 'Number of Employees', { gen: nullable(200, int(1, 250_000)) }),
    col('industrycode', 'Picklist', 'Industry', { options: INDUSTRY, optionSetName: 'account_industrycode', gen: nullable(100, option(INDUSTRY)) }),
    col('accountcategorycode', 'Picklist', 'Category', { options: CATEGORY, optionSetName: 'account_accountcategorycode', gen: nullable(300, option(CATEGORY)) }),
    col('customertypecode', 'Picklist', 'Relationship Type', { options: CUSTOMER_TYPE, optionSetName: 'account_customertypecode', gen: nullable(100, option(CUSTOMER_TYPE)) }),
    col('creditonhold', 'Boolean', 'Credit Hold', { options: YES_NO, gen: bool(0.05) }),
    col('donotemail', 'Boolean', 'Do not allow Emails', { options: [{ value: 0, label: 'Allow' }, { value: 1, label: 'Do Not Allow' }], gen: bool(0.1) }),
    col('description', 'Memo', 'Description', { maxLength: 2000, gen: nullable(500, text(5, 40)) }),
    col('primarycontactid', 'Lookup', 'Primary Contact', { targets: ['contact'], gen: nullable(250, lookup(['contact'])) }),
    col('primarycontactidname', 'String', 'Primary Contact Name', { attributeOf: 'primarycontactid', maxLength: 100 }),
    col('parentaccountid', 'Lookup', 'Parent Account', { targets: ['account'], gen: nullable(850, lookup(['account'])) }),
    col('lastusedincampaign', 'DateTime', 'Last Date Included in Campaign', { behavior: 'UserLocal', gen: nullable(600, dateTime(700)) }),
    col('entityimage', 'Image', 'Default Image'),
    col('entityimageid', 'Uniqueidentifier', 'Entity Image Id', { attributeOf: 'entityimage' }),
  ],
});

export const contact: TableDef = tableDef({
  logicalName: 'contact',
  schemaName: 'Contact',
  entitySetName: 'contacts',
  displayName: 'Contact',
  displayCollectionName: 'Contacts',
  primaryId: 'contactid',
  primaryName: 'fullname',
  changeTracking: true,
  custom: false,
  ownership: 'UserOwned',
  objectTypeCode: 2,
  rows: (n) => n,
  columns: [
    col('fullname', 'String', 'Full Name', { maxLength: 160, gen: personName('full') }),
    col('firstname', 'String', 'First Name', { maxLength: 50, gen: personName('first') }),
    col('lastname', 'String', 'Last Name', { maxLength: 50, gen: personName('last') }),
    col('emailaddress1', 'String', 'Email', {
      maxLength: 100,
      gen: nullable(100, (h, i, c, r) => `${String(personName('first')(h, i, c, r)).toLowerCase()}${i}@example.org`),
    }),
    col('telephone1', 'String', 'Business Phone', { maxLength: 50, gen: nullable(200, (h) => `+44 20 7946 ${(h % 10_000).toString().padStart(4, '0')}`) }),
    col('jobtitle', 'String', 'Job Title', { maxLength: 100, gen: nullable(300, oneOf(['CEO', 'CFO', 'Buyer', 'Engineer', 'Sales Manager', 'Purchasing Lead'])) }),
    col('address1_city', 'String', 'Address 1: City', { maxLength: 80, gen: nullable(100, oneOf(CITIES)) }),
    col('birthdate', 'DateTime', 'Birthday', { behavior: 'DateOnly', gen: nullable(400, dateOnly(365 * 70, -365 * 18)) }),
    col('gendercode', 'Picklist', 'Gender', { options: GENDER, optionSetName: 'contact_gendercode', gen: nullable(300, option(GENDER)) }),
    col('familystatuscode', 'Picklist', 'Marital Status', { options: FAMILY, optionSetName: 'contact_familystatuscode', gen: nullable(500, option(FAMILY)) }),
    col('new_interests', 'MultiSelectPicklist', 'Interests', { options: INTERESTS, optionSetName: 'new_interests', globalOptionSet: true, custom: true, gen: multi(INTERESTS) }),
    col('parentcustomerid', 'Customer', 'Company Name', { targets: ['account', 'contact'], gen: nullable(100, lookup(['account', 'contact'], [9, 1])) }),
    col('parentcustomeridname', 'String', 'Company Name Name', { attributeOf: 'parentcustomerid', maxLength: 100 }),
    col('parentcustomeridtype', 'EntityName', 'Company Name Type', { attributeOf: 'parentcustomerid' }),
    col('donotphone', 'Boolean', 'Do not allow Phone Calls', { options: [{ value: 0, label: 'Allow' }, { value: 1, label: 'Do Not Allow' }], gen: bool(0.1) }),
    col('annualincome', 'Money', 'Annual Income', { precision: 2, gen: money(10_000, 400_000, 600) }),
    ...currencyColumns,
    col('numberofchildren', 'Integer', 'No. of Children', { gen: nullable(600, int(0, 6)) }),
    col('description', 'Memo', 'Description', { maxLength: 2000, gen: nullable(700, text(3, 30)) }),
  ],
});

export const opportunity: TableDef = tableDef({
  logicalName: 'opportunity',
  schemaName: 'Opportunity',
  entitySetName: 'opportunities',
  displayName: 'Opportunity',
  displayCollectionName: 'Opportunities',
  primaryId: 'opportunityid',
  primaryName: 'name',
  changeTracking: true,
  custom: false,
  ownership: 'UserOwned',
  objectTypeCode: 3,
  rows: (n) => n,
  lifecycle: { states: OPP_STATES, statuses: OPP_STATUSES, activeShare: 0.6 },
  columns: [
    col('name', 'String', 'Topic', { maxLength: 300, gen: (h) => `${1 + (h % 500)} ${pick(combine(h, 3), PRODUCTS)}s` }),
    col('customerid', 'Customer', 'Potential Customer', { targets: ['account', 'contact'], gen: lookup(['account', 'contact'], [3, 1]) }),
    col('customeridname', 'String', 'Potential Customer Name', { attributeOf: 'customerid', maxLength: 100 }),
    col('customeridtype', 'EntityName', 'Potential Customer Type', { attributeOf: 'customerid' }),
    col('parentaccountid', 'Lookup', 'Account', { targets: ['account'], gen: nullable(300, lookup(['account'])) }),
    col('parentcontactid', 'Lookup', 'Contact', { targets: ['contact'], gen: nullable(500, lookup(['contact'])) }),
    col('estimatedvalue', 'Money', 'Est. Revenue', { precision: 2, gen: money(500, 2_000_000, 50) }),
    col('actualvalue', 'Money', 'Actual Revenue', { precision: 2, gen: money(500, 2_000_000, 600) }),
    col('budgetamount', 'Money', 'Budget Amount', { precision: 2, gen: money(1_000, 5_000_000, 700) }),
    ...currencyColumns,
    col('estimatedclosedate', 'DateTime', 'Est. Close Date', { behavior: 'DateOnly', gen: nullable(100, dateOnly(400, 200)) }),
    col('actualclosedate', 'DateTime', 'Actual Close Date', { behavior: 'DateOnly', gen: nullable(600, dateOnly(700)) }),
    col('closeprobability', 'Integer', 'Probability', { gen: nullable(200, int(0, 100)) }),
    col('opportunityratingcode', 'Picklist', 'Rating', { options: RATING, optionSetName: 'opportunity_opportunityratingcode', gen: option(RATING) }),
    col('salesstagecode', 'Picklist', 'Process Code', { options: STAGE, optionSetName: 'opportunity_salesstagecode', gen: nullable(200, option(STAGE)) }),
    col('description', 'Memo', 'Description', { maxLength: 2000, gen: nullable(400, text(5, 60)) }),
  ],
});

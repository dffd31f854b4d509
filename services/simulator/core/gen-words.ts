/** Word lists for realistic generated text. */

export const FIRST_NAMES = [
  'Ada', 'Alan', 'Amara', 'Ana', 'Bjorn', 'Carla', 'Chen', 'Dara', 'Diego', 'Elif', 'Emma', 'Fatima', 'Felix', 'Grace', 'Hana',
  'Hugo', 'Ines', 'Ivan', 'Jana', 'Jonas', 'Kai', 'Lena', 'Liam', 'Lucia', 'Mai', 'Marco', 'Maya', 'Nadia', 'Noah', 'Olga',
  'Omar', 'Paula', 'Priya', 'Quinn', 'Rosa', 'Sam', 'Sara', 'Tariq', 'Uma', 'Vera', 'Wei', 'Yara', 'Zoe', 'Zoltán', 'Renée',
] as const;

export const LAST_NAMES = [
  'Abbott', 'Bauer', 'Castillo', 'Dubois', 'Eriksen', 'Fischer', 'García', 'Hansen', 'Ito', 'Jensen', 'Kowalski', 'Larsen',
  'Müller', 'Nakamura', 'O\'Brien', 'Petrov', 'Quist', 'Rossi', 'Schmidt', 'Tanaka', 'Usman', 'Varga', 'Wagner', 'Xu',
  'Yilmaz', 'Zhang', 'Novak', 'Silva', 'Kim', 'Singh', 'Smith', 'Moreau', 'De Vries', 'Horvat', 'Lindqvist',
] as const;

export const COMPANY_WORDS = [
  'Adventure', 'Alpine', 'Blue', 'Contoso', 'Coho', 'Fabrikam', 'Fourth', 'Litware', 'Lucerne', 'Margie\'s', 'Northwind',
  'Proseware', 'Tailspin', 'Trey', 'Wide World', 'Woodgrove', 'Wingtip', 'Graphic', 'Humongous', 'City Power', 'School of Fine',
  'Southridge', 'Datum', 'Consolidated', 'Relecloud', 'VanArsdel', 'Bellows', 'Best For You', 'Lamna', 'Munson\'s',
] as const;

export const COMPANY_KINDS = ['Works', 'Traders', 'Airlines', 'Bank', 'Insurance', 'Coffee', 'Pickle Co.', 'Logistics', 'Labs', 'Winery', 'Systems', 'Partners'] as const;

export const COMPANY_SUFFIXES = ['Ltd', 'Inc.', 'GmbH', 'S.A.', 'B.V.', 'AG', 'LLC', 'plc', 'K.K.', ''] as const;

export const CITIES = [
  'Amsterdam', 'Berlin', 'Boston', 'Cape Town', 'Dublin', 'Lisbon', 'London', 'Lyon', 'Madrid', 'Montréal', 'Munich', 'Oslo',
  'Osaka', 'Paris', 'Prague', 'Redmond', 'São Paulo', 'Seattle', 'Singapore', 'Sydney', 'Tokyo', 'Toronto', 'Vienna', 'Zürich',
] as const;

export const WORDS = [
  'quarterly', 'review', 'renewal', 'pipeline', 'shipment', 'delayed', 'approved', 'contract', 'pricing', 'discount', 'follow-up',
  'meeting', 'warehouse', 'invoice', 'support', 'upgrade', 'pilot', 'onboarding', 'priority', 'escalation', 'budget', 'forecast',
  'survey', 'feedback', 'prototype', 'rollout', 'migration', 'audit', 'training', 'workshop', 'café', 'naïve', '"quoted"', 'line\nbreak',
] as const;

export const PRODUCTS = ['Widget', 'Gadget', 'Sprocket', 'Gizmo', 'Flange', 'Bracket', 'Valve', 'Sensor', 'Module', 'Adapter', 'Coupler', 'Rotor'] as const;

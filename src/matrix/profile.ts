// The project profile: what a project says (claims), what it runs (mechanisms), what
// its token does, and the evidence, each fact with the source it comes from.
// The schema here is the single definition; the type follows from it.
import { list, number, object, oneOf, oneOrMany, optional, required, text, type Infer } from './schema.ts';
import { CATEGORIES, CELL_IDS, CLAIM_KINDS, CONFIDENCE, FIGURE_STATUSES, MECHANISMS, MECHANISM_STATUSES, OPERATOR_KINDS, TOKEN_ROLES } from './vocabulary.ts';

/**
 * Where a fact comes from. `https://...` for public pages; `repo:<path>` for a file of
 * this repository; `analysis:<file>` for one of the source analyses the matrix was
 * drawn from (their figures are claims unless another source backs them).
 */
export const SOURCE_URL = /^(https?:\/\/\S+|repo:\S+|analysis:\S+)$/;

const sourceSchema = object({
  url: required(text({ pattern: SOURCE_URL, patternName: 'a URL (https://..., repo:<path> or analysis:<file>)' })),
  says: required(text()),
});

const figureSchema = object({
  name: required(text()),
  value: optional(number()),
  unit: required(text()),
  status: required(oneOf(FIGURE_STATUSES)),
  cell: optional(oneOf(CELL_IDS)),
  source: required(sourceSchema),
});

export const profileSchema = object({
  name: required(text()),
  url: required(text({ pattern: SOURCE_URL, patternName: 'a URL (https://..., repo:<path> or analysis:<file>)' })),
  category: required(oneOf(CATEGORIES)),
  summary: required(text()),
  confidence: optional(oneOf(CONFIDENCE)),
  uncertainty: optional(text()),
  operators: required(
    object({
      kind: required(oneOf(OPERATOR_KINDS)),
      source: required(sourceSchema),
    }),
  ),
  claims: required(
    list(
      object({
        text: required(text()),
        cell: required(oneOf(CELL_IDS)),
        kind: optional(oneOf(CLAIM_KINDS)),
        mechanisms: optional(list(oneOf(MECHANISMS))),
        figures: optional(list(text())),
        source: required(sourceSchema),
      }),
    ),
  ),
  mechanisms: required(
    list(
      object({
        name: required(oneOf(MECHANISMS)),
        status: optional(oneOf(MECHANISM_STATUSES)),
        evidence: required(list(sourceSchema, { min: 1 })),
      }),
    ),
  ),
  token: required(
    object({
      name: optional(text()),
      role: required(oneOrMany(oneOf(TOKEN_ROLES))),
      claimed_role: optional(oneOrMany(oneOf(TOKEN_ROLES))),
      source: required(sourceSchema),
    }),
  ),
  evidence: required(
    object({
      links: optional(list(sourceSchema)),
      audits: optional(list(object({ by: required(text()), url: required(text({ pattern: SOURCE_URL, patternName: 'a URL' })), says: required(text()) }))),
      figures: optional(list(figureSchema)),
    }),
  ),
});

export type Profile = Infer<typeof profileSchema>;
export type Source = Infer<typeof sourceSchema>;
export type Figure = Infer<typeof figureSchema>;
export type Claim = Profile['claims'][number];
export type MechanismUse = Profile['mechanisms'][number];

/** Validates a parsed document as a profile; throws ProfileInvalidError naming the field. */
export function parseProfile(document: unknown): Profile {
  return profileSchema.parse(document, '');
}

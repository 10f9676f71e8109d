// A small typed validator for profile documents. Each schema both checks a value and
// gives it a static type, and a failure names the exact field path ("claims[2].cell"),
// what was expected and what was found, so a profile author can fix it in one look.
import { ProfileInvalidError } from './errors.ts';

export type Schema<T> = {
  /** What the schema accepts, in words, for error messages. */
  readonly expected: string;
  parse(value: unknown, path: string): T;
};

export type Infer<S> = S extends Schema<infer T> ? T : never;

/** A short, stable rendering of what was found, for the `got:` line. */
export function describe(value: unknown): string {
  if (value === undefined) return 'nothing (field missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `a list of ${value.length}`;
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${String(value)}`;
}

function fail(path: string, expected: string, value: unknown): never {
  throw new ProfileInvalidError({ path: path || '(document)', expected, got: describe(value) });
}

export function text(options: { pattern?: RegExp; patternName?: string } = {}): Schema<string> {
  const expected = options.patternName ?? 'a non-empty string';
  return {
    expected,
    parse(value, path) {
      if (typeof value !== 'string' || value.trim() === '') fail(path, expected, value);
      if (options.pattern && !options.pattern.test(value)) fail(path, expected, value);
      return value;
    },
  };
}

export function number(): Schema<number> {
  const expected = 'a finite number';
  return {
    expected,
    parse(value, path) {
      if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, expected, value);
      return value;
    },
  };
}

export function boolean(): Schema<boolean> {
  const expected = 'true or false';
  return {
    expected,
    parse(value, path) {
      if (typeof value !== 'boolean') fail(path, expected, value);
      return value;
    },
  };
}

export function oneOf<const V extends string>(values: readonly V[]): Schema<V> {
  const expected = `one of ${values.join(', ')}`;
  return {
    expected,
    parse(value, path) {
      if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) fail(path, expected, value);
      return value as V;
    },
  };
}

export function list<T>(item: Schema<T>, options: { min?: number } = {}): Schema<T[]> {
  const min = options.min ?? 0;
  const expected = min > 0 ? `a list of at least ${min} (${item.expected})` : `a list (${item.expected})`;
  return {
    expected,
    parse(value, path) {
      if (!Array.isArray(value) || value.length < min) fail(path, expected, value);
      return value.map((entry, i) => item.parse(entry, `${path}[${i}]`));
    },
  };
}

/** One value or a list of them; always gives a list. */
export function oneOrMany<T>(item: Schema<T>): Schema<T[]> {
  const many = list(item, { min: 1 });
  return {
    expected: `${item.expected}, or a list of them`,
    parse(value, path) {
      return Array.isArray(value) ? many.parse(value, path) : [item.parse(value, path)];
    },
  };
}

type Field<T> = { schema: Schema<T>; optional: boolean };
type Fields = Record<string, Field<unknown>>;

export function required<T>(schema: Schema<T>): Field<T> {
  return { schema, optional: false };
}

export function optional<T>(schema: Schema<T>): Field<T> {
  return { schema, optional: true };
}

type ObjectOf<F extends Fields> = {
  [K in keyof F as F[K]['optional'] extends true ? never : K]: F[K] extends Field<infer T> ? T : never;
} & {
  [K in keyof F as F[K]['optional'] extends true ? K : never]?: F[K] extends Field<infer T> ? T : never;
};

/** A mapping with known fields; an unknown field is an error so that typos do not pass silently. */
export function object<F extends Fields>(fields: F): Schema<ObjectOf<F>> {
  const names = Object.keys(fields);
  const expected = `a mapping with fields ${names.join(', ')}`;
  return {
    expected,
    parse(value, path) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, expected, value);
      const record = value as Record<string, unknown>;
      const at = (key: string) => (path ? `${path}.${key}` : key);
      for (const key of Object.keys(record)) {
        if (!names.includes(key)) fail(at(key), `no such field (known: ${names.join(', ')})`, record[key]);
      }
      const out: Record<string, unknown> = {};
      for (const [key, field] of Object.entries(fields)) {
        const entry = record[key];
        if (entry === undefined || entry === null) {
          if (!field.optional) fail(at(key), field.schema.expected, entry);
          continue;
        }
        out[key] = field.schema.parse(entry, at(key));
      }
      return out as ObjectOf<F>;
    },
  };
}

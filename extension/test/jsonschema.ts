// A small JSON Schema (2020-12) validator covering the keywords rules.schema.json uses. Kept in the
// tests so the extension ships no validator; unknown keywords fail loudly instead of passing.
type Schema = Record<string, unknown>;
const KNOWN = new Set(['$schema', '$id', 'title', '$defs', '$ref', 'type', 'required', 'additionalProperties',
  'properties', 'items', 'enum', 'pattern', 'minItems', 'minLength', 'minProperties', 'propertyNames']);

export function validate(root: Schema, value: unknown): string[] {
  const errors: string[] = [];
  const resolve = (ref: string): Schema => {
    if (!ref.startsWith('#/')) throw new Error(`unsupported $ref ${ref}`);
    return ref.slice(2).split('/').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], root) as Schema;
  };
  const typeOf = (v: unknown): string => Array.isArray(v) ? 'array' : v === null ? 'null'
    : Number.isInteger(v) ? 'integer' : typeof v;
  const walk = (s: Schema, v: unknown, at: string): void => {
    for (const k of Object.keys(s)) if (!KNOWN.has(k)) throw new Error(`unsupported keyword ${k} at ${at}`);
    if (s.$ref) { walk(resolve(s.$ref as string), v, at); return; }
    if (s.type) {
      const t = typeOf(v);
      if (!(t === s.type || (s.type === 'number' && t === 'integer'))) { errors.push(`${at}: want ${s.type}, got ${t}`); return; }
    }
    if (s.enum && !(s.enum as unknown[]).includes(v)) errors.push(`${at}: ${JSON.stringify(v)} not in enum`);
    if (typeof v === 'string') {
      if (s.minLength !== undefined && v.length < (s.minLength as number)) errors.push(`${at}: too short`);
      if (s.pattern && !new RegExp(s.pattern as string, 'u').test(v)) errors.push(`${at}: ${v} does not match ${s.pattern}`);
    }
    if (Array.isArray(v)) {
      if (s.minItems !== undefined && v.length < (s.minItems as number)) errors.push(`${at}: fewer than ${s.minItems} items`);
      if (s.items) v.forEach((x, i) => walk(s.items as Schema, x, `${at}[${i}]`));
    }
    if (typeOf(v) === 'object') {
      const o = v as Record<string, unknown>;
      if (s.minProperties !== undefined && Object.keys(o).length < (s.minProperties as number)) errors.push(`${at}: too few properties`);
      for (const r of (s.required as string[] | undefined) ?? []) if (!(r in o)) errors.push(`${at}: missing ${r}`);
      const props = (s.properties ?? {}) as Record<string, Schema>;
      for (const [k, x] of Object.entries(o)) {
        if (s.propertyNames) walk(s.propertyNames as Schema, k, `${at}{${k}}`);
        if (props[k]) walk(props[k], x, `${at}.${k}`);
        else if (s.additionalProperties === false) errors.push(`${at}: unexpected property ${k}`);
        else if (typeof s.additionalProperties === 'object') walk(s.additionalProperties as Schema, x, `${at}.${k}`);
      }
    }
  };
  walk(root, value, '$');
  return errors;
}

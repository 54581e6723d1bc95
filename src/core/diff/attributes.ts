// Attributes of two paired nodes compared by name. Equality is on the full value (every list item,
// the whole string); a tensor attribute is compared by type, shape and (up to 8 elements) values —
// a Constant's large value is compared element by element in tensors.ts instead; a subgraph by its
// name and node count only (the diff covers the main graph). Shown values are the short display
// text of core/dump/describe.
import type { Attribute, Node } from '../onnx/model';
import { attributeText, tensorValueText, typeText } from '../dump/describe';
import type { AttributeChange } from './types';

/** A string equal for equal attribute values (and their declared type). */
export function attributeKey(a: Attribute): string {
  const ref = a.refAttrName !== undefined ? `@${a.refAttrName}` : '';
  switch (a.type) {
    case 'float':
      return `f:${Object.is(a.value, -0) ? '-0' : String(a.value)}${ref}`;
    case 'int':
    case 'string':
      return `${a.type}:${String(a.value)}${ref}`;
    case 'floats':
    case 'ints':
    case 'strings':
      return `${a.type}:${a.value.map(String).join('\u0000')}${ref}`;
    case 'tensor':
      return `t:${tensorValueText(a.value)}${ref}`;
    case 'tensors':
      return `ts:${a.value.map(tensorValueText).join('\u0000')}${ref}`;
    case 'type_proto':
      return `tp:${typeText(a.value)}${ref}`;
    default:
      return `${a.type}:${attributeText(a)}${ref}`;
  }
}

/** The attributes that differ between `a` and `b`, in A's order then B-only ones. */
export function attributeChanges(a: Node, b: Node): AttributeChange[] {
  const inB = new Map(b.attributes.map((x) => [x.name, x] as const));
  const out: AttributeChange[] = [];
  for (const x of a.attributes) {
    const y = inB.get(x.name);
    if (!y) out.push({ name: x.name, before: attributeText(x) });
    else if (attributeKey(x) !== attributeKey(y)) out.push({ name: x.name, before: attributeText(x), after: attributeText(y) });
  }
  const inA = new Set(a.attributes.map((x) => x.name));
  for (const y of b.attributes) if (!inA.has(y.name)) out.push({ name: y.name, after: attributeText(y) });
  return out;
}

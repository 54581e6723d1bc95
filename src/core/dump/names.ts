// File names for per-tensor dumps that are valid on every common filesystem (Windows included)
// and unique even where names compare case-insensitively.

const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])$/i;
const MAX_STEM = 120;

/** FNV-1a of a string's UTF-16 code units, as 8 hex digits. */
function hash8(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * A file-name stem from a tensor name: letters, digits, '.', '_' and '-' kept, everything else
 * (path separators, ':', spaces, non-ASCII, control characters) replaced by '_'; no leading dot;
 * never a Windows device name (CON, NUL, COM1…); at most 120 characters (a longer name is cut and
 * gets a hash of the full name so that cut names stay distinct).
 */
export function safeStem(name: string): string {
  let s = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\./, '_');
  if (s === '') s = 'tensor';
  if (s.length > MAX_STEM) s = `${s.slice(0, MAX_STEM - 9)}~${hash8(name)}`;
  const firstPart = s.split('.')[0];
  if (RESERVED.test(firstPart)) s = `_${s}`;
  return s;
}

/**
 * Unique, filesystem-safe file names `<stem><suffix>` for the given names, in order. Names that
 * collide (after sanitizing, compared case-insensitively) get `_2`, `_3`, … appended to the stem.
 */
export function uniqueFileNames(names: readonly string[], suffix: string): string[] {
  const used = new Set<string>();
  return names.map((name) => {
    const stem = safeStem(name);
    let candidate = `${stem}${suffix}`;
    for (let i = 2; used.has(candidate.toLowerCase()); i++) candidate = `${stem}_${i}${suffix}`;
    used.add(candidate.toLowerCase());
    return candidate;
  });
}

/** `<safe name>_matrix.txt` for each initializer name: safe on any filesystem and unique. */
export function matrixFileNames(names: readonly string[]): string[] {
  return uniqueFileNames(names, '_matrix.txt');
}

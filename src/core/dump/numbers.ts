// Decimal text for tensor elements that parses back to the identical value, and its parser.
// Non-finite values are written as nan, inf and -inf (what C's strtod and NumPy's loadtxt read).

/** Special values shared by the float formatters. */
function special(v: number): string | undefined {
  if (v !== v) return 'nan';
  if (v === Infinity) return 'inf';
  if (v === -Infinity) return '-inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  return undefined;
}

const POW_OFFSET = 80;
/** 10^k for k in [-80, 80], each the double nearest to it (exact for |k| <= 22). */
const POW10: number[] = Array.from({ length: 2 * POW_OFFSET + 1 }, (_, i) => Number(`1e${i - POW_OFFSET}`));

/** v scaled by 10^k and rounded to an integer (approximate beyond 10^±22). */
function scaledRound(v: number, k: number): number {
  return k >= 0 ? Math.round(v * POW10[k + POW_OFFSET]) : Math.round(v / POW10[-k + POW_OFFSET]);
}

/** m · 10^−k as the nearest double (exact arithmetic for |k| <= 22). */
function unscale(m: number, k: number): number {
  return k >= 0 ? m / POW10[k + POW_OFFSET] : m * POW10[-k + POW_OFFSET];
}

/** Text of the decimal m · 10^−k (m a non-zero integer) in JavaScript's Number#toString layout. */
function decimalText(m: number, k: number): string {
  while (m % 10 === 0) {
    m /= 10;
    k--;
  }
  const sign = m < 0 ? '-' : '';
  const digits = String(m < 0 ? -m : m);
  const nd = digits.length;
  const n = nd - k; // value = 0.digits × 10^n
  if (nd <= n && n <= 21) return sign + digits + '0'.repeat(n - nd);
  if (0 < n && n <= 21) return `${sign}${digits.slice(0, n)}.${digits.slice(n)}`;
  if (-6 < n && n <= 0) return `${sign}0.${'0'.repeat(-n)}${digits}`;
  const exp = n - 1;
  const mantissa = nd > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${mantissa}e${exp > 0 ? '+' : '-'}${Math.abs(exp)}`;
}

/**
 * The shortest decimal that reads back (rounded to float32) as the float32 value `v`: the fewest
 * significant digits p (1…9; 9 always suffice for float32) that round-trip, printed in
 * JavaScript's plain number notation ("0.1", "1e-7", "-3.4028235e+38"). Rounding to p digits gets
 * closer to v as p grows, so p is found by binary search; the printed text is always verified by
 * parsing it back (falling back to 9 digits).
 */
export function formatFloat32(v: number): string {
  const s = special(v);
  if (s !== undefined) return s;
  const a = v < 0 ? -v : v;
  let e = Math.floor(Math.log10(a));
  if (a >= POW10[e + 1 + POW_OFFSET]) e++;
  else if (a < POW10[e + POW_OFFSET]) e--;
  // p significant digits = scale by 10^(p − 1 − e).
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const k = mid - 1 - e;
    if (Math.fround(unscale(scaledRound(v, k), k)) === v) hi = mid;
    else lo = mid + 1;
  }
  const k = lo - 1 - e;
  const m = scaledRound(v, k);
  if (m !== 0 && Number.isSafeInteger(m)) {
    const text = decimalText(m, k);
    // With |k| <= 22 both m and 10^|k| are exact doubles, so unscale() gave the correctly rounded
    // value of this very decimal, which the search already checked; otherwise parse it back.
    if ((k >= -22 && k <= 22) || Math.fround(Number(text)) === v) return text;
  }
  return String(Number(v.toPrecision(9)));
}

/** The shortest decimal that reads back as the float64 value `v` (JavaScript's own algorithm). */
export function formatFloat64(v: number): string {
  return special(v) ?? String(v);
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Parses one number as written by the formatters (also nan/inf in any case, infinity, NaN). */
export function parseNumberToken(token: string): number | undefined {
  if (DECIMAL.test(token)) return Number(token);
  switch (token.toLowerCase()) {
    case 'nan':
    case '+nan':
    case '-nan':
      return Number.NaN;
    case 'inf':
    case '+inf':
    case 'infinity':
    case '+infinity':
      return Infinity;
    case '-inf':
    case '-infinity':
      return -Infinity;
    default:
      return undefined;
  }
}

// A shared float64 accumulator row for the layer kernels.

let acc64 = new Float64Array(1024);

/** A float64 accumulator of at least n entries (shared: JS runs one kernel at a time per thread). */
export function scratch(n: number): Float64Array {
  if (acc64.length < n) acc64 = new Float64Array(n);
  return acc64;
}

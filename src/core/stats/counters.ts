// Counts of the fixed-cost tables the float32 statistics paths make (for tests of per-tensor cost).

/**
 * How many key tables (KEYS counts, then as many actions and |w| starts: 1.5 MB of tables and
 * 200k-entry scans) pass 1 has made in this thread: a fixed cost per tensor, paid only by tensors
 * large enough to gain from it (tensorStats sends small ones down the generic path); and how many
 * bit-bin count tables absQuantilesFloat32 has made (65,536 bins each). Read by tests.
 */
export const keyTables = { made: 0, quantileTables: 0 };

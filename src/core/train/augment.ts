// Training-time augmentation of image samples.

/** Changes one sample in place; `rand` is the trainer's seeded generator. */
export type Augment = (sample: Float32Array, rand: () => number) => void;

/**
 * Shifts each width × height image by a random whole number of pixels in −maxShift..maxShift
 * along each axis (independently), filling the uncovered border with 0.
 */
export function randomShift(width: number, height: number, maxShift: number): Augment {
  const tmp = new Float32Array(width * height);
  return (sample, rand) => {
    const dx = Math.floor(rand() * (2 * maxShift + 1)) - maxShift;
    const dy = Math.floor(rand() * (2 * maxShift + 1)) - maxShift;
    if (dx === 0 && dy === 0) return;
    tmp.fill(0);
    for (let y = 0; y < height; y++) {
      const sy = y - dy;
      if (sy < 0 || sy >= height) continue;
      for (let x = 0; x < width; x++) {
        const sx = x - dx;
        if (sx >= 0 && sx < width) tmp[y * width + x] = sample[sy * width + sx];
      }
    }
    sample.set(tmp);
  };
}

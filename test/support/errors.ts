// The error a call throws (or a promise rejects with), checked to be of the expected class, so a
// test can then look at its fields.
import { expect } from 'vitest';

type ErrorClass<E> = abstract new (...args: never[]) => E;

/** The error `fn` throws; fails the test when it throws nothing or something of another class. */
export function thrownBy<E>(fn: () => unknown, type: ErrorClass<E>, nothing = `expected a ${type.name}, nothing was thrown`): E {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as E;
  }
  throw new Error(nothing);
}

/** The error `fn`'s promise rejects with; fails the test when it resolves or rejects otherwise. */
export async function rejectionOf<E>(fn: () => Promise<unknown>, type: ErrorClass<E>, nothing = `expected a ${type.name}, nothing was thrown`): Promise<E> {
  try {
    await fn();
  } catch (e) {
    expect(e).toBeInstanceOf(type);
    return e as E;
  }
  throw new Error(nothing);
}

// The field checks every request validator is made of: each failure throws BadRequest with a
// message naming the request and the field (errors.ts turns it into a 'bad-request' answer).
import type { Request, RequestType } from '../protocol';

export class BadRequest extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BadRequest';
  }
}

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function fail(message: string): never {
  throw new BadRequest(message);
}

export function str(o: Obj, key: string, where: string): string {
  const v = o[key];
  if (typeof v !== 'string' || v === '') fail(`${where}: "${key}" must be a non-empty string`);
  return v;
}

export function int(o: Obj, key: string, where: string): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(`${where}: "${key}" must be an integer`);
  return v;
}

/** An integer ≥ 1 (`key` names it in the message). */
export function positiveInt(v: unknown, key: string, where: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(`${where}: "${key}" must be an integer ≥ 1`);
  return v;
}

export function bool(o: Obj, key: string, where: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') fail(`${where}: "${key}" must be true or false`);
  return v;
}

export function optString(o: Obj, key: string, where: string): string | undefined {
  return o[key] === undefined ? undefined : str(o, key, where);
}

export function ratio(v: unknown, where: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 1) fail(`${where}: a ratio must be a number from 0 to 1`);
  return v;
}

/** A non-empty list of ratios (`key` names it in the messages). */
export function ratioList(v: unknown, where: string, key = 'ratios'): number[] {
  if (!Array.isArray(v) || v.length === 0) fail(`${where}: "${key}" must be a non-empty list`);
  return v.map((x: unknown) => ratio(x, `${where}: ${key}`));
}

export function stringList(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) fail(`${where} must be a list of strings`);
  return v as string[];
}

export function bytes(v: unknown, where: string): ArrayBuffer {
  if (v instanceof ArrayBuffer) return v;
  if (ArrayBuffer.isView(v)) {
    const u = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
    return u.slice().buffer;
  }
  fail(`${where}: "bytes" must be an ArrayBuffer`);
}

/** Checks the fields of one request type (`msg` is an object, `id` its integer id, `where` names it in messages). */
export type RequestValidator<T extends RequestType> = (msg: Obj, id: number, where: string) => Extract<Request, { type: T }>;

export function modelId(msg: Obj, where: string): number {
  return int(msg, 'modelId', where);
}

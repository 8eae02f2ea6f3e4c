/**
 * A value now, or later (issue 11): the request path runs synchronously while every step can answer
 * at once (the in-memory store), and only becomes a promise chain where a step must wait (a Redis
 * store, a delayed refusal). A frame answered in the turn it arrived costs no promise.
 */
export type MaybePromise<T> = T | Promise<T>;

export function isPromise<T>(value: MaybePromise<T>): value is Promise<T> {
  return value instanceof Promise;
}

/** `next(value)`, at once when `value` is not a promise; else when it resolves. */
export function andThen<T, U>(value: MaybePromise<T>, next: (value: T) => MaybePromise<U>): MaybePromise<U> {
  return isPromise(value) ? value.then(next) : next(value);
}

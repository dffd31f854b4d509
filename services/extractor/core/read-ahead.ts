/**
 * One-item read-ahead over an async iterable: the next item is requested as soon as the current one is handed
 * out, so fetching page N+1 (network, server time) overlaps the mapping and producing of page N instead of
 * waiting for it. At most one item is held ahead. Pure control flow.
 */

/**
 * Yields the items of `source` in order, with the request for the following item already under way. Errors of
 * `source` surface at the item they replace. When the consumer stops early (break, throw), the item in flight is
 * let settle and then the source is closed; its outcome is ignored.
 */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T, void, undefined> {
  const it = source[Symbol.asyncIterator]();
  let next = it.next();
  let finished = false;
  try {
    for (;;) {
      const r = await next;
      if (r.done) {
        finished = true;
        return;
      }
      next = it.next();
      next.catch(() => undefined); // awaited on the next turn, or dropped if the consumer stops
      yield r.value;
    }
  } catch (err) {
    finished = true; // the source threw: it is closed already
    throw err;
  } finally {
    if (!finished) void next.then(() => it.return?.(), () => undefined).catch(() => undefined);
  }
}

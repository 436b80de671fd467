/**
 * Wrap a callback so only its first invocation runs. gRPC handlers must call
 * back exactly once; a second call (a late error after a response, a handler
 * that both returns and throws) is dropped and reported through `onRepeat`.
 */
export function once<A extends unknown[]>(
  fn: (...args: A) => void,
  onRepeat: () => void = () => {},
): (...args: A) => void {
  let called = false;
  return (...args: A) => {
    if (called) {
      onRepeat();
      return;
    }
    called = true;
    fn(...args);
  };
}

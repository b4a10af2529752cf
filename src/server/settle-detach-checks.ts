/**
 * V8 compiles code that reads typed arrays (every Buffer) without checks for a detached ArrayBuffer until
 * the first ArrayBuffer in the isolate is detached. That first detach throws away every optimised function
 * compiled under the assumption: about 65 at once in the router (timers, streams, undici's parser, the
 * executor), which are then compiled again while the load that triggered them waits.
 *
 * The router's own first detach comes from undici: its HTTP/1.1 parser runs in WebAssembly, and the
 * WebAssembly memory grows (detaching the old buffer) once enough upstream connections are open at the
 * same time, somewhere between 500 and 1,000 in a test with undici alone. That is the first burst of
 * an agent fleet. Detaching one empty buffer at start-up, before anything hot is compiled, lets V8 compile
 * with the checks from the start, as it would after that burst anyway. A router that never sees such a
 * burst pays for the checks too; on plain calls that cost did not show against the noise. Measured in
 * bench/README.md ("The first detached buffer").
 */
export function settleDetachChecks(): void {
  const buffer = new ArrayBuffer(0);
  structuredClone(buffer, { transfer: [buffer] });
}

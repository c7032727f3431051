// Reads a File into the wasm session in chunks, yielding to the browser
// between chunks so that the page stays responsive and the progress bar moves.

import { nextFrame } from './dom.js';

const CHUNK_BYTES = 2 * 1024 * 1024;

/**
 * Streams `file` into `session` and parses it.
 * `onProgress(fraction, text)` is called as bytes arrive.
 * Resolves to the summary; rejects with the engine's error (the session
 * then still holds the previous data).
 */
export async function loadFile(session, file, onProgress) {
  session.begin_load();
  const total = file.size;
  let done = 0;
  onProgress(0, `Reading ${file.name}…`);
  while (done < total) {
    const end = Math.min(total, done + CHUNK_BYTES);
    const buffer = await file.slice(done, end).arrayBuffer();
    session.push_bytes(new Uint8Array(buffer));
    done = end;
    onProgress(total ? done / total : 1, `Reading ${file.name}: ${mb(done)} of ${mb(total)}`);
    await nextFrame();
  }
  // Parse a slice of rows per frame (about 30 ms of work), adapting the
  // slice to the speed measured so far.
  session.start_parse(file.name);
  let rows = 5000;
  while (!session.parse_done()) {
    const t0 = performance.now();
    const fraction = session.parse_step(rows);
    const dt = performance.now() - t0;
    rows = Math.max(1000, Math.min(1000000, Math.round(rows * (dt > 0 ? 30 / dt : 2))));
    onProgress(fraction, `Parsing ${file.name}: ${Math.floor(fraction * 100)}%`);
    await nextFrame();
  }
  onProgress(1, `Preparing ${file.name}…`);
  await nextFrame();
  return session.finish_parse();
}

function mb(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

/**
 * zod's tree-shakable build, configured once (schema modules import this for its side effect).
 * `zod/mini` bundles to a fraction of what the classic API pulls in, as long as each module
 * imports it as `* as z` itself: re-exporting the namespace would keep all of it. `jitless`
 * keeps zod from compiling validators with `new Function` at cold start.
 */
import { config } from 'zod/mini';

config({ jitless: true });

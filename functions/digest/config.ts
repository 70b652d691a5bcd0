/** The `digest` function's settings, checked at init; every name is in docs/configuration.md's environment table. */
import { loadAlertSettings } from '#lib/runtime/config.js';

type Env = Record<string, string | undefined>;

export const loadDigestConfig = (env: Env) => loadAlertSettings(env);

/** The baseline: a handler that does nothing, bundled and started exactly like the real ones. */
export const handler = async () => ({ statusCode: 200, body: 'hello' });

// Node module hooks: resolve the bare specifier `electron` (and electron/*) to electronStub.mjs.
const stubUrl = new URL('./electronStub.mjs', import.meta.url).href;
export async function resolve(specifier, context, next) {
  if (specifier === 'electron' || specifier.startsWith('electron/')) return { url: stubUrl, shortCircuit: true };
  return next(specifier, context);
}

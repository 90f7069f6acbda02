// The product version, set at build time from package.json; "development" when run from the sources.
declare const BOOTSTRAP_VERSION: string | undefined;

export const version = typeof BOOTSTRAP_VERSION === 'string' ? BOOTSTRAP_VERSION : 'development';

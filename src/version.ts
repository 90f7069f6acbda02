// The product version, set at build time from package.json, and the build: a digest of the sources the executable
// was built from. Both are "development" when run from the sources.
declare const BOOTSTRAP_VERSION: string | undefined;
declare const BOOTSTRAP_BUILD: string | undefined;

export const version = typeof BOOTSTRAP_VERSION === 'string' ? BOOTSTRAP_VERSION : 'development';

/** The version and the build, telling apart two builds of one version. */
export const versionAndBuild = `${version} (build ${typeof BOOTSTRAP_BUILD === 'string' ? BOOTSTRAP_BUILD : 'development'})`;

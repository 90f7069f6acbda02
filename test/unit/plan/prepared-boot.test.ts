// The boot pack prepares: taken only when every input matches the boot's, and equal to what the boot would make.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { templates } from '../../../src/cli/verbs/config-template';
import { validateConfigText } from '../../../src/config/validate-config';
import type { Config } from '../../../src/config/generated/config-types';
import { isPreparedConfig, parsePreparedBoot } from '../../../src/boot/prepared';
import { planWith, prepareBoot, preparedSteps, PREPARED_BOOT_FORMAT, survivesJson, type PlanInputs } from '../../../src/plan/prepared-boot';
import { versionAndBuild as version } from '../../../src/version';

const fixtures = join(import.meta.dirname, '../modules/fixtures');
const modulesDep = readFileSync(join(fixtures, 'modules.dep'), 'utf8');
const modulesAlias = readFileSync(join(fixtures, 'modules.alias'), 'utf8');
const release = '6.1.0-99-amd64';

// The files of a packed image, by path, as the boot reads them.
function inputs(files: ReadonlyMap<string, string>, more: Partial<PlanInputs> = {}): PlanInputs {
  return { kernelRelease: release, builtin: 'kernel/net/unix/unix.ko\n', loaded: '', readFile: (path) => files.get(path), ...more };
}

const imageFiles = new Map([
  [`/lib/modules/${release}/modules.dep`, modulesDep],
  [`/lib/modules/${release}/modules.alias`, modulesAlias],
]);

function validConfig(text: string): Config {
  const config = validateConfigText(text).config;
  if (!config) throw new Error(`invalid: ${text}`);
  return config;
}

// The configs we ship, and one with modules by alias, a network and modules after the switch.
const configTexts: [string, string][] = [
  ...Object.entries(templates).map(([name, text]): [string, string] => [`template ${name}`, text]),
  ['modules by alias, network, postSwitch modules', `preSwitch:
  modules: {names: [virtio-pci, fs-virtiofs, 9p]}
network:
  ethernets:
    eth0: {addresses: [10.0.2.15/24], routes: [{to: default, via: 10.0.2.2}]}
switchRoot:
  rootFileSystem: {type: virtiofs, tag: rootfs}
postSwitch:
  modules: {names: [8021q]}
  handoff: {mode: exec, program: /sbin/init}
`],
];

// What pack writes and the boot reads back.
function throughFile(text: string, config: Config, planInputs: PlanInputs | undefined): ReturnType<typeof parsePreparedBoot> {
  const prepared = prepareBoot(version, text, config, planInputs);
  if (prepared === undefined) throw new Error('not prepared');
  return parsePreparedBoot(JSON.stringify(prepared), '/etc/bootstrap/prepared.json');
}

describe('the prepared boot', () => {
  it.each(configTexts)('gives the config and the plan the boot would make: %s', (_name, text) => {
    const config = validConfig(text);
    const read = throughFile(text, config, inputs(imageFiles));
    if (typeof read === 'string') throw new Error(read);
    expect(read.config).toEqual(config);
    expect(isPreparedConfig(read, Buffer.from(text))).toBe(true);
    expect(read.plan).toBeDefined();
    const steps = preparedSteps(read.plan!, inputs(imageFiles));
    expect(steps).toEqual(planWith(config, inputs(imageFiles)));
    expect(steps).toEqual(planWith(read.config, inputs(imageFiles)));
  });

  it('is not taken for another config, kernel, module file, built-in list or loaded modules', () => {
    const text = templates.exec;
    const read = throughFile(text, validConfig(text), inputs(imageFiles));
    if (typeof read === 'string' || !read.plan) throw new Error('not prepared');
    expect(isPreparedConfig(read, Buffer.from(`${text}# one more line\n`))).toBe(false);
    expect(isPreparedConfig(read, Buffer.from(text).subarray(1))).toBe(false);
    expect(preparedSteps(read.plan, inputs(imageFiles, { kernelRelease: '6.1.0-100-amd64' }))).toBe(`it was made for kernel ${release}, this is 6.1.0-100-amd64`);
    expect(preparedSteps(read.plan, inputs(imageFiles, { builtin: undefined }))).toBe(`modules.builtin of ${release} differs`);
    expect(preparedSteps(read.plan, inputs(imageFiles, { loaded: 'fuse 167936 0 - Live 0x0\n' }))).toBe('the loaded modules (/proc/modules) differ');
    const changed = new Map(imageFiles).set(`/lib/modules/${release}/modules.dep`, `${modulesDep}extra/x.ko:\n`);
    expect(preparedSteps(read.plan, inputs(changed))).toBe(`/lib/modules/${release}/modules.dep differs`);
  });

  it('notes files the plan found absent, so one that appears later is not overlooked', () => {
    const text = templates.exec;
    const read = throughFile(text, validConfig(text), inputs(imageFiles));
    if (typeof read === 'string' || !read.plan) throw new Error('not prepared');
    const absent = read.plan.reads.filter(([, content]) => content === null).map(([path]) => path);
    expect(absent).toContain(`/lib/modules/${release}/modules.softdep`);
    for (const path of absent) expect(preparedSteps(read.plan, inputs(new Map(imageFiles).set(path, 'alias x y\n')))).toBe(`${path} differs`);
  });

  it('holds the config alone when no modules tree was packed, or when planning fails (the boot then says why)', () => {
    const text = templates.exec;
    const config = validConfig(text);
    expect(prepareBoot(version, text, config, undefined)).toEqual({ format: PREPARED_BOOT_FORMAT, version, configText: text, config });
    expect(prepareBoot(version, text, config, inputs(new Map()))?.plan).toBeUndefined();
  });

  it('is left alone when absent, damaged, of another format or made by another version', () => {
    const good = prepareBoot(version, templates.exec, validConfig(templates.exec), undefined)!;
    const path = '/etc/bootstrap/prepared.json';
    expect(parsePreparedBoot('{"format": 1, "vers', path)).toBe(`${path} is not JSON`);
    expect(parsePreparedBoot('[]', path)).toBe(`${path} is not of format ${PREPARED_BOOT_FORMAT}`);
    expect(parsePreparedBoot(JSON.stringify({ ...good, format: 2 }), path)).toBe(`${path} is not of format ${PREPARED_BOOT_FORMAT}`);
    expect(parsePreparedBoot(JSON.stringify({ ...good, version: '0.0.1' }), path)).toBe(`${path} was made by bootstrap 0.0.1, this is ${version}`);
    const otherBuild = version.replace(/\(build [^)]*\)/, '(build 0123456789abcdef)');
    expect(parsePreparedBoot(JSON.stringify({ ...good, version: otherBuild }), path)).toBe(`${path} was made by bootstrap ${otherBuild}, this is ${version}`);
    expect(parsePreparedBoot(JSON.stringify({ ...good, config: [] }), path)).toBe(`${path} is damaged`);
    expect(parsePreparedBoot(JSON.stringify({ ...good, configText: 7 }), path)).toBe(`${path} is damaged`);
    const plan = { kernelRelease: release, builtin: null, loaded: '', reads: [['/x', 3]], steps: [] };
    expect(parsePreparedBoot(JSON.stringify({ ...good, plan }), path)).toBe(`${path} is damaged`);
    expect(parsePreparedBoot(JSON.stringify({ ...good, plan: { ...plan, reads: [], steps: [1] } }), path)).toBe(`${path} is damaged`);
    expect(parsePreparedBoot(JSON.stringify({ ...good, plan: { ...plan, reads: [] } }), path)).toEqual({ ...good, plan: { ...plan, reads: [] } });
  });
});

describe('survivesJson', () => {
  it('takes plain data, a dropped undefined property included', () => {
    expect(survivesJson({ a: [1, 'x', true, null, { b: -2.5 }], c: undefined })).toBe(true);
  });

  it.each([
    ['Infinity', { a: Infinity }],
    ['NaN in an array', [Number.NaN]],
    ['undefined in an array', [undefined]],
    ['a Map', { a: new Map() }],
    ['a bigint', { a: 1n }],
    ['a class instance', { a: new Date(0) }],
    ['a function', { a: () => 1 }],
  ])('refuses %s', (_name, value) => {
    expect(survivesJson(value)).toBe(false);
  });

  it('refuses nesting deeper than any config, without overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(survivesJson(deep)).toBe(false);
  });
});

/**
 * The Dockerfile, compose.yaml and the Kubernetes example against the router itself: the port they
 * expose is the one the router listens on with their environment, the probe paths answer, every
 * environment variable they set is one the router reads, every secret they reference exists, and the
 * Service, PodDisruptionBudget and HPA point at the Deployment. (No Docker engine is needed: this is
 * what can be checked where the image cannot be built.)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { loadConfig } from '../src/config/load-config.js';
import { upstreamPresets } from '../src/config/upstream-presets.js';
import { type GatewayFixture, startGateway } from '../src/server/test-support/gateway-fixture.js';
import { rootDir } from './support/built-bin.js';

type Doc = Record<string, any>;

function readYaml(path: string): Doc[] {
  // Merge keys (`<<: *router`), as docker compose reads them.
  return parseAllDocuments(readFileSync(path, 'utf8'), { merge: true }).map(
    (document) => document.toJS() as Doc,
  );
}

const k8sDir = join(rootDir, 'deploy', 'k8s');
const k8s = readdirSync(k8sDir)
  .filter((name) => name.endsWith('.yaml'))
  .flatMap((name) => readYaml(join(k8sDir, name)));
const byKind = (kind: string): Doc => {
  const found = k8s.find((document) => document.kind === kind);
  if (found === undefined) throw new Error(`no ${kind} in deploy/k8s`);
  return found;
};
const compose = readYaml(join(rootDir, 'compose.yaml'))[0] as Doc;
const dockerfile = readFileSync(join(rootDir, 'Dockerfile'), 'utf8');

/** Every variable the router reads: its configuration's, each provider preset's, and the log level. */
function routerEnvNames(): Set<string> {
  const names = new Set<string>(['PARETO_ROUTER_LOG_LEVEL', 'NODE_ENV']);
  const source = readFileSync(join(rootDir, 'src', 'config', 'load-config.ts'), 'utf8');
  for (const match of source.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)) names.add(match[1] as string);
  for (const preset of upstreamPresets) {
    for (const name of preset.keyEnv) names.add(name);
    names.add(preset.baseUrlEnv);
  }
  return names;
}

const container = byKind('Deployment').spec.template.spec.containers[0] as Doc;
const plainEnv = (entries: Doc[]): Record<string, string> =>
  Object.fromEntries(
    entries.filter((entry) => 'value' in entry).map((entry) => [entry.name, String(entry.value)]),
  );

let gateway: GatewayFixture;
beforeAll(async () => {
  gateway = await startGateway();
});
afterAll(async () => {
  await gateway?.close();
});

describe('deployment manifests', () => {
  it('name only environment variables the router reads', () => {
    const known = routerEnvNames();
    const k8sNames = (container.env as Doc[]).map((entry) => entry.name as string);
    const routerServices = Object.entries(compose.services as Doc).filter(([name]) =>
      name.startsWith('router'),
    );
    const composeNames = routerServices.flatMap(([, service]) => Object.keys(service.environment ?? {}));
    const dockerNames = [...dockerfile.matchAll(/^\s*(?:ENV\s+)?([A-Z][A-Z0-9_]*)=/gm)].map(
      (match) => match[1],
    );
    for (const name of [...k8sNames, ...composeNames, ...dockerNames]) expect(known, name).toContain(name);
    expect(k8sNames).toEqual(expect.arrayContaining(['DATABASE_URL', 'REDIS_URL', 'PORT', 'HOST']));
  });

  it('expose the port the router listens on with their environment', () => {
    const port = container.ports[0].containerPort as number;
    const config = loadConfig({
      env: { ...plainEnv(container.env), REDIS_URL: 'redis://redis:6379' },
      configPath: undefined,
    });
    expect(config.port).toBe(port);
    expect(config.host).toBe('0.0.0.0');
    expect(config.redisUrl).toBe('redis://redis:6379');
    expect(config.budgetFailOpen).toBe(false);
    expect(dockerfile).toMatch(new RegExp(`^EXPOSE ${port}$`, 'm'));
    expect(dockerfile).toMatch(new RegExp(`PORT=${port}\\b`));
    for (const [name, service] of Object.entries(compose.services as Doc)) {
      if (!name.startsWith('router')) continue;
      expect(service.environment.PORT).toBe(String(port));
      expect(service.ports[0]).toMatch(new RegExp(`:${port}$`));
    }
  });

  it('probe paths the router answers: readiness on /ready, liveness on /health', async () => {
    expect(container.readinessProbe.httpGet.path).toBe('/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/health');
    expect(container.readinessProbe.httpGet.port).toBe(container.ports[0].name);
    expect(dockerfile).toMatch(/^HEALTHCHECK .*\n.*\/health/m);
    const composeRouter = (compose.services as Doc)['router-1'] as Doc;
    expect(composeRouter.healthcheck.test.join(' ')).toContain('/ready');
    for (const path of ['/ready', '/health']) {
      const response = await fetch(`${gateway.url}${path}`);
      expect(response.status, path).toBe(200);
    }
  });

  it('take secrets from a Secret that holds each referenced key', () => {
    const secret = byKind('Secret');
    const held = new Set(Object.keys(secret.stringData ?? secret.data ?? {}));
    const references = (container.env as Doc[]).flatMap((entry) =>
      entry.valueFrom?.secretKeyRef === undefined ? [] : [entry.valueFrom.secretKeyRef as Doc],
    );
    expect(references.length).toBeGreaterThanOrEqual(3);
    for (const reference of references) {
      expect(reference.name).toBe(secret.metadata.name);
      expect(held).toContain(reference.key);
    }
    // No credential is written into the Deployment itself.
    const plain = plainEnv(container.env);
    for (const name of ['DATABASE_URL', 'REDIS_URL', 'PARETO_ROUTER_MASTER_KEY'])
      expect(plain[name]).toBeUndefined();
  });

  it('point the Service, PodDisruptionBudget and HPA at the Deployment', () => {
    const deployment = byKind('Deployment');
    const labels = deployment.spec.template.metadata.labels as Record<string, string>;
    const matches = (selector: Record<string, string>) =>
      Object.entries(selector).every(([key, value]) => labels[key] === value);
    const service = byKind('Service');
    expect(matches(service.spec.selector)).toBe(true);
    expect(service.spec.ports[0].targetPort).toBe(container.ports[0].name);
    expect(matches(byKind('PodDisruptionBudget').spec.selector.matchLabels)).toBe(true);
    const hpa = byKind('HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: deployment.metadata.name });
    expect(hpa.spec.metrics[0].resource.name).toBe('cpu');
    expect(hpa.spec.minReplicas).toBeGreaterThan(byKind('PodDisruptionBudget').spec.minAvailable - 1);
  });

  it('build a multi-stage, non-root image with production dependencies only', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(dockerfile).toMatch(/npm ci --omit=dev/);
    const users = [...dockerfile.matchAll(/^USER (\S+)$/gm)].map((match) => match[1]);
    expect(users.at(-1)).toBeDefined();
    expect(users.at(-1)).not.toBe('root');
    expect(readFileSync(join(rootDir, 'package.json'), 'utf8')).toContain('"bin/"');
  });

  it('run three routers with one Redis and one PostgreSQL in compose', () => {
    const services = compose.services as Doc;
    const routers = Object.keys(services).filter((name) => name.startsWith('router'));
    expect(routers).toHaveLength(3);
    expect(Object.keys(services)).toEqual(expect.arrayContaining(['redis', 'postgres']));
    for (const name of routers) {
      expect(services[name].environment.REDIS_URL).toMatch(/^redis:\/\/redis:/);
      expect(services[name].environment.DATABASE_URL).toMatch(/^postgres:\/\/.*@postgres:/);
    }
  });
});

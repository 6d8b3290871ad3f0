/** Where the shared traces live for tests: ../shared/data/traces relative to the repo root. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const traceDir = path.resolve(repoRoot, '../shared/data/traces');
export const CLOUD_FILES = ['cloudPhysicsIO.oracleGeneral.bin', 'cloudPhysicsIO.csv', 'cloudPhysicsIO.txt'] as const;

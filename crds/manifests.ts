import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { SkiffError } from '../repository/errors/errors.ts';
import { KINDS, crdName } from './constants.ts';

/** The fields of a CustomResourceDefinition manifest that callers look at; the rest is passed through. */
export interface CrdManifest {
  apiVersion: 'apiextensions.k8s.io/v1';
  kind: 'CustomResourceDefinition';
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { kind: string; plural: string; singular?: string; listKind?: string; shortNames?: string[]; categories?: string[] };
    versions: Array<{ name: string; served: boolean; storage: boolean; [key: string]: unknown }>;
  };
}

/** Directory of the YAML files, `<plural>.skiff.dev.yaml`, one CustomResourceDefinition each. */
export const CRD_YAML_DIR = path.join(import.meta.dirname, 'yaml');

/** Reads every Skiff CustomResourceDefinition, in KINDS order. Throws SkiffError Config if one is missing or malformed. */
export function loadCrdManifests(): CrdManifest[] {
  return KINDS.map((kind) => {
    const file = path.join(CRD_YAML_DIR, `${crdName(kind)}.yaml`);
    let doc: unknown;
    try {
      doc = parse(readFileSync(file, 'utf8'));
    } catch (err) {
      throw new SkiffError('Config', `cannot read CRD ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    const crd = doc as Partial<CrdManifest> | null;
    if (crd?.kind !== 'CustomResourceDefinition' || crd.metadata?.name !== crdName(kind) || crd.spec?.names.kind !== kind) {
      throw new SkiffError('Config', `${file} is not the CustomResourceDefinition ${crdName(kind)} for kind ${kind}`);
    }
    return crd as CrdManifest;
  });
}

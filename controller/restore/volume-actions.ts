// PersistentVolume and PersistentVolumeClaim restore (velero-reference.md §5.5, §5.10). Skiff
// takes no native snapshots, so a PV is restored as it was only when its reclaim policy is Retain
// (the volume outlives its claim); otherwise it is skipped and its claim reset so that the
// cluster provisions a new volume (file-system backup data then goes into the new volume).
// `restorePVs: false` skips every PV.
import { ANNOTATIONS } from '../../crds/index.ts';
import type { ItemAction } from './item-actions.ts';
import { child, deleteMetaEntry, metadataOf, nameOf, setMetaEntry, str } from './unstructured.ts';

const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';

export const persistentVolumeAction: ItemAction = {
  skip(pv, ctx) {
    if (!ctx.restorePVs) return 'restorePVs is false; its claim is provisioned again';
    const policy = str(child(pv, 'spec'), 'persistentVolumeReclaimPolicy') ?? 'Delete';
    if (policy !== 'Retain') return `reclaim policy ${policy} without a snapshot; its claim is provisioned again`;
    return undefined;
  },
  transform(pv, ctx) {
    const name = nameOf(pv);
    const renamed = ctx.pvRenames.get(name);
    if (renamed !== undefined) {
      metadataOf(pv)['name'] = renamed;
      setMetaEntry(pv, 'annotations', ANNOTATIONS.originalPvName, name);
    }
    const ref = child(child(pv, 'spec'), 'claimRef');
    if (ref === undefined) return;
    // the claim is new: let it bind by namespace and name
    delete ref['uid'];
    delete ref['resourceVersion'];
    const ns = str(ref, 'namespace');
    if (ns !== undefined && ctx.namespaceMapping[ns] !== undefined) ref['namespace'] = ctx.namespaceMapping[ns];
  },
};

export const persistentVolumeClaimAction: ItemAction = {
  transform(pvc, ctx) {
    deleteMetaEntry(pvc, 'annotations', ANN_SELECTED_NODE);
    const spec = child(pvc, 'spec');
    const volume = str(spec, 'volumeName');
    if (spec === undefined || volume === undefined) return;
    const renamed = ctx.pvRenames.get(volume);
    if (renamed !== undefined) spec['volumeName'] = renamed;
    else if (ctx.pvsToProvision.has(volume)) {
      delete spec['volumeName'];
      deleteMetaEntry(pvc, 'annotations', ANN_BIND_COMPLETED);
      deleteMetaEntry(pvc, 'annotations', ANN_BOUND_BY_CONTROLLER);
    }
  },
};

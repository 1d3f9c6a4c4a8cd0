// A restore's warnings and errors, shaped as Velero's results file
// (`restore-<name>-results.json.gz`): `{"errors": {...}, "warnings": {...}}`, each with `skiff`
// (about the restore as a whole), `cluster` (cluster-scoped items) and `namespaces` (per target
// namespace); empty parts are left out.

export interface ResultSet {
  skiff?: string[];
  cluster?: string[];
  namespaces?: Record<string, string[]>;
}

export interface RestoreResultsFile {
  errors: ResultSet;
  warnings: ResultSet;
}

export class ResultBucket {
  private readonly general: string[] = [];
  private readonly cluster: string[] = [];
  private readonly namespaces = new Map<string, string[]>();
  count = 0;

  /** about the restore as a whole */
  addGeneral(message: string): void {
    this.general.push(message);
    this.count++;
  }

  /** about an item: `namespace` undefined for cluster-scoped items */
  add(namespace: string | undefined, message: string): void {
    if (namespace === undefined) this.cluster.push(message);
    else {
      const list = this.namespaces.get(namespace) ?? [];
      list.push(message);
      this.namespaces.set(namespace, list);
    }
    this.count++;
  }

  toJSON(): ResultSet {
    const out: ResultSet = {};
    if (this.general.length > 0) out.skiff = [...this.general];
    if (this.cluster.length > 0) out.cluster = [...this.cluster];
    if (this.namespaces.size > 0) out.namespaces = Object.fromEntries([...this.namespaces].sort(([a], [b]) => a.localeCompare(b)));
    return out;
  }
}

export class RestoreResults {
  readonly warnings = new ResultBucket();
  readonly errors = new ResultBucket();

  toJSON(): RestoreResultsFile {
    return { errors: this.errors.toJSON(), warnings: this.warnings.toJSON() };
  }
}

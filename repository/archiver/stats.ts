import type { Node, SnapshotSummary } from '../tree/index.ts';

export interface BackupProgress {
  readonly bytesDone: number;
  readonly filesDone: number;
  readonly current: string;
}

export interface BackupStats {
  filesNew: number;
  filesChanged: number;
  filesUnmodified: number;
  dirsNew: number;
  dirsChanged: number;
  dirsUnmodified: number;
  dataBlobs: number;
  treeBlobs: number;
  /** bytes added to the repository, after compression and encryption */
  dataAddedPacked: number;
  totalFilesProcessed: number;
  totalBytesProcessed: number;
  bytesDone: number;
  errors: number;
  backupEnd: string;
  countDir(prev: Node | undefined): void;
  summary(start: string): SnapshotSummary;
}

export function newStats(): BackupStats {
  return {
    filesNew: 0,
    filesChanged: 0,
    filesUnmodified: 0,
    dirsNew: 0,
    dirsChanged: 0,
    dirsUnmodified: 0,
    dataBlobs: 0,
    treeBlobs: 0,
    dataAddedPacked: 0,
    totalFilesProcessed: 0,
    totalBytesProcessed: 0,
    bytesDone: 0,
    errors: 0,
    backupEnd: '',
    countDir(prev) {
      if (prev) this.dirsUnmodified++;
      else this.dirsNew++;
    },
    summary(start) {
      return {
        backupStart: start,
        backupEnd: this.backupEnd,
        filesNew: this.filesNew,
        filesChanged: this.filesChanged,
        filesUnmodified: this.filesUnmodified,
        dirsNew: this.dirsNew,
        dirsChanged: this.dirsChanged,
        dirsUnmodified: this.dirsUnmodified,
        dataBlobs: this.dataBlobs,
        treeBlobs: this.treeBlobs,
        dataAdded: this.dataAddedPacked,
        dataAddedPacked: this.dataAddedPacked,
        totalFilesProcessed: this.totalFilesProcessed,
        totalBytesProcessed: this.totalBytesProcessed,
      };
    },
  };
}

// Worker-thread entry of batchRun (built to dist/batchWorker.js and dist/batchWorker.cjs): runs one task.
import { runBatchTask, type BatchTask } from './batchTask.js';

export default function batchWorker(task: BatchTask): ReturnType<typeof runBatchTask> {
  return runBatchTask(task);
}

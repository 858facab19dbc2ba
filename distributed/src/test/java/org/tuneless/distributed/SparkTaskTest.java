package org.tuneless.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.tuneless.run.LocalExecutor;
import org.tuneless.run.Trial;
import org.tuneless.run.TrialResult;

/**
 * What a Spark task does around its trial: failures Spark gives up on, and the threads a task gets. Each test starts
 * its own embedded Spark (one context per JVM at a time, so not beside {@link SparkExecutorTest}'s shared one).
 */
class SparkTaskTest {

    /** Runs the trial, except that a trial whose id contains "poison" fails its task (outside the trial's own error handling). */
    static final class PoisonedTask implements org.apache.spark.api.java.function.Function<String, String> {
        private static final long serialVersionUID = 1L;

        @Override public String call(String text) {
            Trial t = SparkExecutor.decode(text);
            if (t.id().contains("poison")) throw new IllegalStateException("the task died (simulated lost executor)");
            return LocalExecutor.runTrial(t, () -> false).toJson();
        }
    }

    /**
     * A task Spark gives up on (local[2]: no retries) makes only its own trial FAILED, naming Spark's reason; the trials
     * of the same job that had not finished run again in a new job, and every trial is reported exactly once.
     */
    @Test void aTaskSparkGivesUpOnFailsOnlyItsTrial() throws Exception {
        List<Trial> trials = new ArrayList<>(SparkExecutorTest.sweep().subList(0, 6));
        trials.add(2, new Trial("poison-1", trials.get(0).spec()));
        trials.add(new Trial("poison-2", trials.get(1).spec()));
        List<TrialResult> streamed = java.util.Collections.synchronizedList(new ArrayList<>());
        try (SparkExecutor poisoned = new SparkExecutor("local[2]", Map.of(), new PoisonedTask())) {
            List<TrialResult> rs = poisoned.run(trials, streamed::add);
            assertEquals(trials.stream().map(Trial::id).toList(), rs.stream().map(TrialResult::id).toList(), "every trial, in order");
            assertEquals(trials.size(), streamed.size(), "each trial reported once");
            for (TrialResult r : rs) {
                if (r.id().startsWith("poison")) {
                    assertEquals(TrialResult.FAILED, r.status(), r.id());
                    assertTrue(r.message().contains("Spark gave up") && r.message().contains("simulated lost executor"), r.message());
                } else {
                    assertEquals("COMPLETED", r.status(), r.id() + ": " + r.message());
                }
            }
            List<TrialResult> local = new LocalExecutor(1).run(trials.stream().filter(t -> !t.id().startsWith("poison")).toList(), null);
            assertEquals(local.stream().map(SparkExecutorTest::numbers).toList(),
                    rs.stream().filter(r -> !r.id().startsWith("poison")).map(SparkExecutorTest::numbers).toList(), "the others' numbers as local");
        }
    }

    /** Reports the OpenMP threads ND4J's ops get in a task after the executor's set-up, as a FAILED result's message. */
    static final class ThreadsTask implements org.apache.spark.api.java.function.Function<String, String> {
        private static final long serialVersionUID = 1L;

        @Override public String call(String text) {
            int cores = SparkExecutor.useTaskCores(org.apache.spark.TaskContext.get());
            int omp = org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().ompGetMaxThreads();
            return TrialResult.failed(SparkExecutor.decode(text), new IllegalStateException("cores=" + cores + " omp=" + omp), 0).toJson();
        }
    }

    /** A task of spark.task.cpus = 2 runs its trial's ND4J ops on 2 threads; the default is one thread per task. */
    @Test void aTaskUsesAsManyThreadsAsItHasCores() throws Exception {
        Trial t = SparkExecutorTest.sweep().get(0);
        try (SparkExecutor two = new SparkExecutor("local[2]", Map.of("spark.task.cpus", "2"), new ThreadsTask())) {
            assertTrue(two.run(List.of(t), null).get(0).message().endsWith("cores=2 omp=2"));
        }
        try (SparkExecutor one = new SparkExecutor("local[2]", Map.of(), new ThreadsTask())) {
            assertTrue(one.run(List.of(t), null).get(0).message().endsWith("cores=1 omp=1"));
        }
    }

    /** Waits 300 ms (interruptibly) before running the trial. */
    static final class SlowTask implements org.apache.spark.api.java.function.Function<String, String> {
        private static final long serialVersionUID = 1L;

        @Override public String call(String text) throws Exception {
            Thread.sleep(300);
            return LocalExecutor.runTrial(SparkExecutor.decode(text), () -> false).toJson();
        }
    }

    /** Cancelling a sweep reports the finished trials and none of the others — not as FAILED by Spark. */
    @Test void cancellingReportsOnlyTheFinishedTrials() throws Exception {
        List<Trial> trials = new ArrayList<>();
        for (int k = 0; k < 8; k++) trials.add(new Trial("t" + k, SparkExecutorTest.sweep().get(0).spec()));
        List<TrialResult> streamed = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
        try (SparkExecutor slow = new SparkExecutor("local[2]", Map.of(), new SlowTask())) {
            var execution = slow.start(trials, r -> {
                streamed.add(r);
                first.countDown();
            });
            assertTrue(first.await(60, java.util.concurrent.TimeUnit.SECONDS), "a first result");
            execution.cancel();
            List<TrialResult> rs = execution.await();
            assertTrue(rs.size() < trials.size(), "cancelled before the end: " + rs.size());
            for (TrialResult r : rs) assertEquals("COMPLETED", r.status(), r.id() + ": " + r.message());
            assertEquals(rs.size(), streamed.size());
        }
    }
}

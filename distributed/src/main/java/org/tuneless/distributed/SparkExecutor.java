package org.tuneless.distributed;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.tuneless.run.LocalExecutor;
import org.tuneless.run.RunSpec;
import org.tuneless.run.Trial;
import org.tuneless.run.TrialExecutor;
import org.tuneless.run.TrialResult;

/**
 * Runs trials as Apache Spark tasks: on an embedded {@code local[N]} Spark (N trials at once in this JVM) or on a
 * cluster ({@code spark://host:7077}). A trial is shipped as text — its id and its JSON run specification — and a task
 * builds and runs it with {@link LocalExecutor#runTrial} and returns the {@link TrialResult} as JSON, so nothing but
 * strings crosses the wire and the numbers are those of a local run (same spec, same seed, one BLAS thread per task).
 *
 * <p>Each trial is its own Spark job of one task (submitted asynchronously, all at once): results stream back in
 * completion order, a failed task is retried by Spark ({@code spark.task.maxFailures}), and a result is reported once per
 * trial id. Every {@code Throwable} inside a trial is a FAILED result, as with {@link LocalExecutor}; a task that Spark
 * gives up on (a lost executor after the retries) is reported as FAILED with Spark's reason.
 *
 * <p>The Spark context is created on first use from {@code master} (or given, e.g. by {@code spark-submit}) and
 * stopped by {@link #close()} when this executor created it.
 */
public final class SparkExecutor implements TrialExecutor, AutoCloseable {

    private final String master;
    private JavaSparkContext context;
    private final boolean owned;

    /** An executor on the Spark at {@code master}: {@code local[N]}, {@code local[*]} or {@code spark://host:port}. */
    public SparkExecutor(String master) {
        if (master == null || master.isBlank()) {
            throw new IllegalArgumentException("a Spark master URL is needed: local[N] (embedded, N trials at once), local[*], or spark://host:7077");
        }
        if (!master.equals("local") && !master.matches("local\\[.+]") && !master.startsWith("spark://") && !master.startsWith("yarn") && !master.startsWith("k8s://")) {
            throw new IllegalArgumentException("'" + master + "' is not a Spark master URL; valid: local[N], local[*], spark://host:7077, yarn, k8s://…");
        }
        this.master = master;
        this.owned = true;
    }

    /** An executor on an existing context (not stopped by {@link #close()}). */
    public SparkExecutor(JavaSparkContext context) {
        this.context = context;
        this.master = context.master();
        this.owned = false;
    }

    public String master() { return master; }

    /** The Spark context, created on first use. */
    public synchronized JavaSparkContext context() {
        if (context == null) {
            SparkConf conf = new SparkConf().setMaster(master).setAppName("tuneless")
                    .setIfMissing("spark.ui.enabled", "false")
                    .setIfMissing("spark.ui.showConsoleProgress", "false")
                    // retried tasks: a lost worker's trial runs again elsewhere (local mode: local[N, maxFailures] sets it)
                    .setIfMissing("spark.task.maxFailures", "4");
            context = new JavaSparkContext(conf);
            context.setLogLevel("WARN");
        }
        return context;
    }

    @Override public Execution start(List<Trial> trials, Consumer<TrialResult> onResult) {
        JavaSparkContext sc = context();
        String group = "tuneless-" + UUID.randomUUID();
        Map<String, JavaFutureAction<List<String>>> pending = new LinkedHashMap<>();
        Map<String, Trial> byId = new LinkedHashMap<>();
        for (Trial t : trials) {
            if (byId.put(t.id(), t) != null) throw new IllegalArgumentException("trial id " + t.id() + " appears twice; ids must be unique");
        }
        sc.setJobGroup(group, "tuneless: " + trials.size() + " trials", true);
        try {
            for (Trial t : trials) {
                pending.put(t.id(), sc.parallelize(List.of(encode(t)), 1).map(new RunTrial()).collectAsync());
            }
        } finally {
            sc.clearJobGroup();
        }
        AtomicBoolean cancelled = new AtomicBoolean();
        Map<String, TrialResult> done = new LinkedHashMap<>();
        Thread watcher = new Thread(() -> {
            // results in completion order: poll the jobs (one job per trial; a completion service without a thread each)
            while (!pending.isEmpty()) {
                boolean any = false;
                for (var it = pending.entrySet().iterator(); it.hasNext(); ) {
                    var e = it.next();
                    if (!e.getValue().isDone()) continue;
                    it.remove();
                    any = true;
                    TrialResult r = result(byId.get(e.getKey()), e.getValue(), cancelled.get());
                    if (r == null) continue;
                    synchronized (done) {
                        done.put(e.getKey(), r);
                    }
                    if (onResult != null) onResult.accept(r);
                }
                if (!any) {
                    try {
                        Thread.sleep(20);
                    } catch (InterruptedException ex) {
                        return;
                    }
                }
            }
        }, "tuneless-spark-results");
        watcher.setDaemon(true);
        watcher.start();
        return new Execution() {
            @Override public List<TrialResult> await() throws InterruptedException {
                watcher.join();
                List<TrialResult> out = new ArrayList<>();
                synchronized (done) {
                    for (Trial t : trials) if (done.containsKey(t.id())) out.add(done.get(t.id()));
                }
                return out;
            }

            @Override public void cancel() {
                cancelled.set(true);
                sc.cancelJobGroup(group);
            }
        };
    }

    /** The result of a finished job: the task's JSON, or FAILED with Spark's reason; null for a cancelled job. */
    private static TrialResult result(Trial trial, JavaFutureAction<List<String>> f, boolean cancelled) {
        try {
            return TrialResult.fromJson(f.get().get(0));
        } catch (ExecutionException | java.util.concurrent.CancellationException e) {
            if (cancelled) return null;
            Throwable cause = e.getCause() == null ? e : e.getCause();
            return TrialResult.failed(trial, new IllegalStateException("Spark gave up on the trial's task: " + cause.getMessage(), cause), 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** A trial as text: its id, a newline, its JSON spec. */
    static String encode(Trial t) { return t.id() + "\n" + t.spec().toJson(); }

    static Trial decode(String text) {
        int nl = text.indexOf('\n');
        return new Trial(text.substring(0, nl), RunSpec.fromJson(text.substring(nl + 1)));
    }

    /** The task: decode, run with one BLAS thread per task core, encode the result. */
    static final class RunTrial implements Function<String, String> {
        private static final long serialVersionUID = 1L;

        @Override public String call(String text) {
            TaskContext task = TaskContext.get();
            // ND4J finds its backend through the context class loader; Spark's task loader does not show it
            Thread thread = Thread.currentThread();
            ClassLoader previous = thread.getContextClassLoader();
            thread.setContextClassLoader(RunTrial.class.getClassLoader());
            try {
                LocalExecutor.oneBlasThread(false);
                Trial trial = decode(text);
                return LocalExecutor.runTrial(trial, () -> task != null && task.isInterrupted()).toJson();
            } finally {
                thread.setContextClassLoader(previous);
            }
        }
    }

    @Override public synchronized void close() {
        if (owned && context != null) {
            context.stop();
            context = null;
        }
    }

    @Override public String toString() { return "SparkExecutor(" + master + ")"; }
}

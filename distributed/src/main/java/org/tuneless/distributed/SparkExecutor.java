package org.tuneless.distributed;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import org.apache.spark.SparkConf;
import org.apache.spark.TaskContext;
import org.apache.spark.SimpleFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.scheduler.SparkListenerTaskStart;
import org.tuneless.run.LocalExecutor;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction0;
import scala.runtime.AbstractFunction1;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;
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
 * <p>The trials are one Spark job, one task per trial: results stream back in completion order (each as its task
 * ends), a failed task is retried by Spark ({@code spark.task.maxFailures}), and a result is reported once per
 * trial id. Every {@code Throwable} inside a trial is a FAILED result, as with {@link LocalExecutor}; a task that Spark
 * gives up on (a lost executor after the retries) is reported as FAILED with Spark's reason.
 *
 * <p>Exactly once: results are keyed by trial id. A task attempt lost with its executor (a worker killed) is retried by
 * Spark on another executor, and only the job's one result is reported; should two attempts of a trial run (retry,
 * speculation) the job still returns one value, and a second report of an id is dropped. A worker-lost attempt counts
 * towards {@code spark.task.maxFailures} (4 by default here): one lost worker leaves 3 more attempts.
 *
 * <p>A task's ND4J ops use as many threads as the task has cores ({@code spark.task.cpus}, 1 by default), and
 * executors start with that {@code OMP_NUM_THREADS} ({@code spark.executorEnv.OMP_NUM_THREADS}, unless set); executors load the Tuneless classes from their own classpath: a {@link LocalCluster}'s
 * workers give their executors the project's classpath; on another cluster, add the distributed jar and the CLI's
 * jars with {@code spark.jars} or the cluster's own classpath setting.
 *
 * <p>Progress: {@link #running()} and {@link #failedAttempts()} count task attempts from a {@link SparkListener};
 * {@link #links()} names the application's UI (with {@code spark.ui.enabled=true}) and a standalone master's UI.
 *
 * <p>The Spark context is created on first use from {@code master} (or given, e.g. by {@code spark-submit}), or in
 * the background from {@link #warmUp()}, and stopped by {@link #close()} when this executor created it.
 */
public final class SparkExecutor implements TrialExecutor {

    private final String master;
    private final Map<String, String> conf;
    /** What a task runs on a trial's text ({@link RunTrial}; tests give a task that fails for chosen trials). */
    private final Function<String, String> task;
    private JavaSparkContext context;
    private CompletableFuture<JavaSparkContext> starting;
    private final boolean owned;
    private final TaskCounter tasks = new TaskCounter();

    /** An executor on the Spark at {@code master}: {@code local[N]}, {@code local[*]} or {@code spark://host:port}. */
    public SparkExecutor(String master) { this(master, Map.of()); }

    /**
     * An executor on the Spark at {@code master} with extra Spark settings (e.g. {@code spark.ui.enabled=true} for the
     * application's web UI, {@code spark.executor.memory=4g}); they win over this class's defaults.
     */
    public SparkExecutor(String master, Map<String, String> conf) {
        if (master == null || master.isBlank()) {
            throw new IllegalArgumentException("a Spark master URL is needed: local[N] (embedded, N trials at once), local[*], or spark://host:7077");
        }
        if (!master.equals("local") && !master.matches("local\\[.+]") && !master.startsWith("spark://") && !master.startsWith("yarn") && !master.startsWith("k8s://")) {
            throw new IllegalArgumentException("'" + master + "' is not a Spark master URL; valid: local[N], local[*], spark://host:7077, yarn, k8s://…");
        }
        this.master = master;
        this.conf = Map.copyOf(conf);
        this.owned = true;
        this.task = new RunTrial();
    }

    /** An executor whose tasks run {@code task} on a trial's text instead of the trial (a test seam for Spark's failures). */
    SparkExecutor(String master, Map<String, String> conf, Function<String, String> task) {
        this.master = master;
        this.conf = Map.copyOf(conf);
        this.owned = true;
        this.task = task;
    }

    /** An executor on an existing context (not stopped by {@link #close()}). */
    public SparkExecutor(JavaSparkContext context) {
        this.context = context;
        this.master = context.master();
        this.conf = Map.of();
        this.owned = false;
        this.task = new RunTrial();
        context.sc().addSparkListener(tasks);
    }

    public String master() { return master; }

    /**
     * Starts creating the Spark context in the background (a few seconds: Spark's RPC environment, block manager and,
     * on a cluster, the executors' registration), so that it overlaps whatever the caller prepares next; returns this.
     */
    public synchronized SparkExecutor warmUp() {
        if (context == null && starting == null && master.startsWith("local")) {
            // local mode: the tasks run in this JVM; ND4J's native start-up (≈2 s) overlaps Spark's
            Thread nd4j = new Thread(() -> LocalExecutor.oneBlasThread(true), "tuneless-nd4j-start");
            nd4j.setDaemon(true);
            nd4j.start();
        }
        if (context == null && starting == null) {
            starting = CompletableFuture.supplyAsync(this::createContext, r -> {
                Thread t = new Thread(r, "tuneless-spark-start");
                t.setDaemon(true);
                t.start();
            });
        }
        return this;
    }

    /** The Spark context, created on first use (or by {@link #warmUp()}). */
    public synchronized JavaSparkContext context() {
        if (context == null) {
            if (starting == null) {
                context = createContext();
            } else {
                try {
                    context = starting.join();
                } catch (java.util.concurrent.CompletionException e) {
                    starting = null;
                    if (e.getCause() instanceof RuntimeException re) throw re;
                    throw e;
                }
            }
        }
        return context;
    }

    private JavaSparkContext createContext() {
        SparkConf c = new SparkConf().setMaster(master).setAppName("tuneless");
        conf.forEach(c::set);
        c.setIfMissing("spark.ui.enabled", "false")
                .setIfMissing("spark.ui.showConsoleProgress", "false")
                // retried tasks: a lost worker's trial runs again elsewhere (local mode: local[N, maxFailures] sets it)
                .setIfMissing("spark.task.maxFailures", "4")
                // as many BLAS/OpenMP threads as a task has cores (spark.task.cpus, 1 by default) in every executor JVM
                .setIfMissing("spark.executorEnv.OMP_NUM_THREADS", c.get("spark.task.cpus", "1"));
        JavaSparkContext sc = new JavaSparkContext(c);
        sc.setLogLevel("WARN");
        sc.sc().addSparkListener(tasks);
        return sc;
    }

    /** Task attempts running now (a retried trial counts once per attempt that runs). */
    @Override public int running() { return tasks.running.get(); }

    /** Task attempts that ended without success (a lost executor, a task killed by cancellation …) since the start. */
    public int failedAttempts() { return tasks.failed.get(); }

    /**
     * The Spark application's UI (when {@code spark.ui.enabled=true}) and, on a standalone cluster, the master's UI
     * (found at its default port 8080 when it answers for this master). Waits for a context that {@link #warmUp()}
     * is starting.
     */
    @Override public List<String> links() {
        List<String> out = new ArrayList<>();
        JavaSparkContext sc;
        synchronized (this) {
            sc = context != null || starting == null ? context : context();  // a context being started: its UI is known once it is up
        }
        if (sc != null && sc.sc().uiWebUrl().isDefined()) out.add("Spark application UI: " + sc.sc().uiWebUrl().get());
        if (master.startsWith("spark://")) {
            String host = master.substring("spark://".length()).replaceAll(":\\d+$", "").split(",")[0];
            String ui = "http://" + host + ":8080";
            out.add("Spark master UI: " + ui + (masterAnswers(ui) ? "" : " (not answering there: the master's UI may run on another port)"));
        }
        return out;
    }

    private boolean masterAnswers(String ui) {
        try {
            var r = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofSeconds(1)).build()
                    .send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(ui + "/json/")).timeout(java.time.Duration.ofSeconds(2)).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
            return r.statusCode() == 200 && r.body().contains("\"" + master + "\"");
        } catch (Exception e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Counts running and failed task attempts, from Spark's scheduler events (on Spark's listener-bus thread). */
    static final class TaskCounter extends SparkListener {
        final AtomicInteger running = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();

        @Override public void onTaskStart(SparkListenerTaskStart e) { running.incrementAndGet(); }

        @Override public void onTaskEnd(SparkListenerTaskEnd e) {
            running.decrementAndGet();
            if (!e.taskInfo().successful()) failed.incrementAndGet();
        }
    }

    @Override public Execution start(List<Trial> trials, Consumer<TrialResult> onResult) {
        JavaSparkContext sc = context();
        String group = "tuneless-" + UUID.randomUUID();
        Map<String, Trial> byId = new LinkedHashMap<>();
        for (Trial t : trials) {
            if (byId.put(t.id(), t) != null) throw new IllegalArgumentException("trial id " + t.id() + " appears twice; ids must be unique");
        }
        AtomicBoolean cancelled = new AtomicBoolean();
        Map<String, TrialResult> done = new LinkedHashMap<>();
        // results arrive on Spark's scheduler thread; they are handed to the caller (who may write files) from this queue
        BlockingQueue<Object> arrived = new LinkedBlockingQueue<>();
        Object end = new Object();
        Thread jobs = new Thread(() -> {
            try {
                List<Trial> remaining = new ArrayList<>(trials);
                while (!remaining.isEmpty() && !cancelled.get()) {
                    remaining = runJob(sc, group, remaining, arrived, task, cancelled);
                }
            } finally {
                arrived.add(end);
            }
        }, "tuneless-spark-jobs");
        jobs.setDaemon(true);
        Thread watcher = new Thread(() -> {
            while (true) {
                Object next;
                try {
                    next = arrived.take();
                } catch (InterruptedException ex) {
                    return;
                }
                if (next == end) return;
                TrialResult r = (TrialResult) next;
                synchronized (done) {
                    // keyed by trial id: a trial is reported once, however many task attempts Spark ran for it
                    if (done.putIfAbsent(r.id(), r) != null) continue;
                }
                if (onResult != null) onResult.accept(r);
            }
        }, "tuneless-spark-results");
        watcher.setDaemon(true);
        watcher.start();
        jobs.start();
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

    private static final Pattern FAILED_TASK = Pattern.compile("Task (\\d+) in stage \\S+ failed");

    /**
     * Runs {@code batch} as one Spark job, one task (partition) per trial, and puts each trial's result into
     * {@code arrived} as its task ends. One job instead of one per trial: a job costs the driver a stage, a task-binary
     * broadcast and its cleanup (≈ 15 ms each here, on the cores the trials run on). Returns the trials still to run:
     * none, unless Spark gave up on the job — then the trial whose task failed {@code spark.task.maxFailures} times is
     * reported FAILED with Spark's reason and the others are returned, to run in a new job (a trial that kills its
     * executor does not take the others with it).
     */
    private static List<Trial> runJob(JavaSparkContext sc, String group, List<Trial> batch, BlockingQueue<Object> arrived,
                                      Function<String, String> task, AtomicBoolean cancelled) {
        List<String> encoded = batch.stream().map(SparkExecutor::encode).toList();
        List<Object> partitions = new ArrayList<>();
        for (int i = 0; i < batch.size(); i++) partitions.add(i);
        boolean[] reported = new boolean[batch.size()];
        SimpleFutureAction<BoxedUnit> job;
        sc.setJobGroup(group, "tuneless: " + batch.size() + " trials", true);
        try {
            // n elements in n slices: partition i holds trial i
            job = sc.sc().submitJob(sc.parallelize(encoded, batch.size()).map(task).rdd(), new OnlyElement(),
                    CollectionConverters.asScala(partitions).toSeq(), new AbstractFunction2<Object, String, BoxedUnit>() {
                        @Override public BoxedUnit apply(Object partition, String json) {
                            int i = (Integer) partition;
                            synchronized (reported) {
                                reported[i] = true;
                            }
                            arrived.add(TrialResult.fromJson(json));
                            return BoxedUnit.UNIT;
                        }
                    }, new AbstractFunction0<BoxedUnit>() {
                        @Override public BoxedUnit apply() { return BoxedUnit.UNIT; }
                    });
        } finally {
            sc.clearJobGroup();
        }
        try {
            job.get();
            return List.of();
        } catch (Exception e) {
            // cancelled (Execution.cancel: the job group was cancelled): the trials that had not finished are not reported
            if (cancelled.get() || job.isCancelled() || e instanceof InterruptedException) return List.of();
            // FutureAction.get wraps Spark's job failure ("Exception thrown in awaitResult"): find the cause that names the task
            Throwable cause = e;
            int failed = -1;
            for (Throwable c = e; c != null; c = c.getCause()) {
                cause = c;
                Matcher m = FAILED_TASK.matcher(String.valueOf(c.getMessage()));
                if (m.find()) {
                    failed = Integer.parseInt(m.group(1));
                    break;
                }
            }
            String reason = cause.getMessage() == null ? cause.toString() : cause.getMessage();
            List<Trial> rest = new ArrayList<>();
            synchronized (reported) {
                for (int i = 0; i < batch.size(); i++) {
                    if (reported[i]) continue;
                    if (i == failed || failed < 0) {
                        arrived.add(TrialResult.failed(batch.get(i), new IllegalStateException("Spark gave up on the trial's task: " + reason, cause), 0));
                    } else {
                        rest.add(batch.get(i));
                    }
                }
            }
            return rest;
        }
    }

    /** A partition's one element (a trial's result JSON). */
    static final class OnlyElement extends AbstractFunction1<Iterator<String>, String> implements Serializable {
        private static final long serialVersionUID = 1L;

        @Override public String apply(Iterator<String> it) { return it.next(); }
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
                useTaskCores(task);
                Trial trial = decode(text);
                return LocalExecutor.runTrial(trial, () -> task != null && task.isInterrupted()).toJson();
            } finally {
                thread.setContextClassLoader(previous);
            }
        }
    }

    /** ND4J's ops in this task's thread use as many threads as the task has cores ({@code spark.task.cpus}); returns that number. */
    static int useTaskCores(TaskContext task) {
        int cores = task == null ? 1 : Math.max(1, task.cpus());
        LocalExecutor.blasThreads(cores, false);
        return cores;
    }

    @Override public synchronized void close() {
        if (owned && context == null && starting != null) {
            try {
                context = starting.join();
            } catch (RuntimeException e) {
                // it never started
            }
        }
        starting = null;
        if (owned && context != null) {
            context.stop();
            context = null;
        }
    }

    @Override public String toString() { return "SparkExecutor(" + master + ")"; }
}

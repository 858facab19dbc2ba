package org.tuneless.distributed;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A standalone Spark cluster on this machine: one master ({@code org.apache.spark.deploy.master.Master}) and N workers
 * ({@code org.apache.spark.deploy.worker.Worker}), each a separate background JVM started from this JVM's classpath
 * (the project's own jars: nothing is downloaded, no Spark installation is needed). {@code ./tuneless cluster
 * start-local} and the tests share it.
 *
 * <p>Everything lives in one state directory ({@code .tuneless/cluster/} from the launcher): {@code cluster.json} (the
 * master URL, the UI URL, the pids), {@code master.log}, {@code worker-K.log}, {@code work/worker-K/} (each
 * executor's stdout/stderr, by application), and {@code spark-home/}: the {@code SPARK_HOME} the workers build their
 * executors' command from. Its {@code jars/} is empty — the executors' classpath is this JVM's, passed in
 * {@code SPARK_DIST_CLASSPATH} so it keeps its order (Spark's Jackson before the core's; see distributed/README.md) —
 * and its {@code conf/java-opts} holds the JVM options every executor gets (ND4J's native cache directory and CPU
 * extension; Spark adds its own {@code --add-opens}). Workers and so their executors run with
 * {@code OMP_NUM_THREADS=1}: one BLAS thread per task core, as {@code LocalExecutor} gives each trial.
 *
 * <p>{@link #start} returns once every worker has registered with the master (polled on the master's JSON endpoint,
 * {@code http://HOST:UI_PORT/json/}); {@link #close()} stops the workers (and with them their executors) and the
 * master. {@link #attach} finds a cluster started by another process (for {@code status} and {@code stop}).
 */
public final class LocalCluster implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String MASTER_CLASS = "org.apache.spark.deploy.master.Master";
    private static final String WORKER_CLASS = "org.apache.spark.deploy.worker.Worker";
    private static final String ROLE = "-Dtuneless.cluster.role=";
    private static final String LOG4J_PROVIDER = "-Dslf4j.provider=org.apache.logging.slf4j.SLF4JServiceProvider";

    /**
     * How to start the cluster. {@code classpath} and {@code jvmOptions} default to this JVM's (its class path; its
     * {@code --add-opens} and {@code -D} options, without its heap size).
     */
    public record Options(int workers, int coresPerWorker, String memoryPerWorker, String host, int port, int uiPort, Path dir,
                          String classpath, List<String> jvmOptions, Duration timeout) {
        public Options {
            if (workers < 1) throw new IllegalArgumentException("--workers " + workers + " must be ≥ 1");
            if (coresPerWorker < 1) throw new IllegalArgumentException("--cores-per-worker " + coresPerWorker + " must be ≥ 1");
            if (memoryPerWorker == null || !memoryPerWorker.matches("\\d+[mMgG]")) {
                throw new IllegalArgumentException("--memory-per-worker '" + memoryPerWorker + "' is not a size; write e.g. 512m or 2g");
            }
            if (port < 1 || port > 65535) throw new IllegalArgumentException("--port " + port + " is not a TCP port (1–65535)");
            if (uiPort < 1 || uiPort > 65535) throw new IllegalArgumentException("--ui-port " + uiPort + " is not a TCP port (1–65535)");
            if (uiPort == port) throw new IllegalArgumentException("--port and --ui-port are both " + port + "; give them different ports");
            if (dir == null) throw new IllegalArgumentException("the cluster needs a state directory (pids, logs, work directories)");
            if (classpath == null) classpath = System.getProperty("java.class.path");
            if (jvmOptions == null) jvmOptions = inheritedJvmOptions();
            if (timeout == null) timeout = Duration.ofSeconds(90);
        }

        /** 2 workers of 1 core and 2 GB, master on 127.0.0.1:7077, its UI on 8080, state in {@code dir}. */
        public static Options defaults(Path dir) {
            return new Options(2, 1, "2g", "127.0.0.1", 7077, 8080, dir, null, null, null);
        }

        public Options withWorkers(int n) { return new Options(n, coresPerWorker, memoryPerWorker, host, port, uiPort, dir, classpath, jvmOptions, timeout); }
        public Options withCoresPerWorker(int n) { return new Options(workers, n, memoryPerWorker, host, port, uiPort, dir, classpath, jvmOptions, timeout); }
        public Options withMemoryPerWorker(String m) { return new Options(workers, coresPerWorker, m, host, port, uiPort, dir, classpath, jvmOptions, timeout); }
        public Options withHost(String h) { return new Options(workers, coresPerWorker, memoryPerWorker, h, port, uiPort, dir, classpath, jvmOptions, timeout); }
        public Options withPorts(int p, int ui) { return new Options(workers, coresPerWorker, memoryPerWorker, host, p, ui, dir, classpath, jvmOptions, timeout); }
    }

    private final Path dir;
    private final String masterUrl;
    private final String uiUrl;
    private final ProcessHandle master;
    private final List<ProcessHandle> workers;

    private LocalCluster(Path dir, String masterUrl, String uiUrl, ProcessHandle master, List<ProcessHandle> workers) {
        this.dir = dir;
        this.masterUrl = masterUrl;
        this.uiUrl = uiUrl;
        this.master = master;
        this.workers = List.copyOf(workers);
    }

    /** The master's URL for a driver: {@code spark://HOST:PORT}. */
    public String masterUrl() { return masterUrl; }

    /** The master's web UI (its JSON state at {@code uiUrl() + "/json/"}). */
    public String uiUrl() { return uiUrl; }

    public Path dir() { return dir; }

    /** The master's JVM (null for an attached cluster whose master died). */
    public ProcessHandle master() { return master; }

    /** The workers' JVMs, in start order. */
    public List<ProcessHandle> workers() { return workers; }

    /**
     * Starts a master and {@code o.workers()} workers and waits until all have registered.
     *
     * @throws IllegalStateException a cluster of this state directory is running, a port is taken, or a daemon did
     *                               not come up within the timeout (the message names its log)
     */
    public static LocalCluster start(Options o) {
        Path dir = o.dir().toAbsolutePath();
        Optional<LocalCluster> running = attach(dir);
        if (running.isPresent()) {
            throw new IllegalStateException("a local cluster is already running (master " + running.get().masterUrl() + ", UI " + running.get().uiUrl()
                    + "); stop it first with ./tuneless cluster stop");
        }
        requireFree(o.host(), o.port(), "--port", "the master's port");
        requireFree(o.host(), o.uiPort(), "--ui-port", "the master's web UI port");
        try {
            Files.createDirectories(dir);
            Files.deleteIfExists(dir.resolve("cluster.json"));
            Path home = dir.resolve("spark-home");
            Files.createDirectories(home.resolve("jars"));
            Files.createDirectories(home.resolve("conf"));
            Files.writeString(home.resolve("conf").resolve("java-opts"), String.join(" ", executorJvmOptions(o.jvmOptions())) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the cluster directory " + dir + ": " + e.getMessage(), e);
        }
        String masterUrl = "spark://" + o.host() + ":" + o.port();
        String uiUrl = "http://" + o.host() + ":" + o.uiPort();
        List<Process> started = new ArrayList<>();
        try {
            Process master = launch(o, dir, "master", List.of(MASTER_CLASS, "--host", o.host(), "--port", String.valueOf(o.port()),
                    "--webui-port", String.valueOf(o.uiPort())));
            started.add(master);
            List<ProcessHandle> workers = new ArrayList<>();
            for (int k = 1; k <= o.workers(); k++) {
                Path work = dir.resolve("work").resolve("worker-" + k);
                Files.createDirectories(work);
                Process w = launch(o, dir, "worker-" + k, List.of(WORKER_CLASS, "--host", o.host(), "--cores", String.valueOf(o.coresPerWorker()),
                        "--memory", o.memoryPerWorker(), "--webui-port", "0", "--work-dir", work.toString(), masterUrl));
                started.add(w);
                workers.add(w.toHandle());
            }
            LocalCluster c = new LocalCluster(dir, masterUrl, uiUrl, master.toHandle(), workers);
            c.awaitWorkers(o.workers(), o.timeout(), started);
            c.writeState(o);
            return c;
        } catch (IOException e) {
            started.forEach(p -> stopTree(p.toHandle()));
            throw new UncheckedIOException("cannot start the cluster: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            started.forEach(p -> stopTree(p.toHandle()));
            throw e;
        }
    }

    /** The cluster whose state is in {@code dir}, if its master is alive. */
    public static Optional<LocalCluster> attach(Path dir) {
        Path state = dir.toAbsolutePath().resolve("cluster.json");
        if (!Files.isRegularFile(state)) return Optional.empty();
        JsonNode n;
        try {
            n = JSON.readTree(state.toFile());
        } catch (IOException e) {
            return Optional.empty();
        }
        Optional<ProcessHandle> master = sparkProcess(n.path("master_pid").asLong(-1));
        List<ProcessHandle> workers = new ArrayList<>();
        for (JsonNode p : n.path("worker_pids")) sparkProcess(p.asLong(-1)).ifPresent(workers::add);
        // a cluster with a dead master but live workers is still "running": stop must end those workers
        if (master.isEmpty() && workers.isEmpty()) return Optional.empty();
        return Optional.of(new LocalCluster(dir.toAbsolutePath(), n.path("master_url").asText(), n.path("ui_url").asText(), master.orElse(null), workers));
    }

    /** The master's state ({@code /json/}): workers, cores, applications. */
    public JsonNode masterState() {
        try {
            HttpResponse<String> r = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build()
                    .send(HttpRequest.newBuilder(URI.create(uiUrl + "/json/")).timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException("the master's UI at " + uiUrl + " answered HTTP " + r.statusCode());
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new IllegalStateException("the master's UI at " + uiUrl + " does not answer: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while asking the master at " + uiUrl, e);
        }
    }

    /** Number of workers the master lists as ALIVE. */
    public int aliveWorkers() { return masterState().path("aliveworkers").asInt(); }

    private void awaitWorkers(int n, Duration timeout, List<Process> processes) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline) {
            for (int i = 0; i < processes.size(); i++) {
                Process p = processes.get(i);
                if (!p.isAlive()) {
                    String name = i == 0 ? "master" : "worker-" + i;
                    throw new IllegalStateException("the Spark " + name + " exited (code " + p.exitValue() + ") while the cluster was starting; see "
                            + dir.resolve(name + ".log") + tail(dir.resolve(name + ".log")));
                }
            }
            try {
                int alive = aliveWorkers();
                if (alive >= n) return;
                last = alive + " of " + n + " workers registered";
            } catch (IllegalStateException e) {
                last = e.getMessage();
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the workers", e);
            }
        }
        throw new IllegalStateException("the cluster did not come up within " + timeout.toSeconds() + " s (" + last + "); logs in " + dir);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            List<String> last = lines.subList(Math.max(0, lines.size() - 8), lines.size());
            return last.isEmpty() ? "" : ":\n  " + String.join("\n  ", last);
        } catch (IOException e) {
            return "";
        }
    }

    private void writeState(Options o) {
        ObjectNode n = JSON.createObjectNode();
        n.put("master_url", masterUrl).put("ui_url", uiUrl).put("master_pid", master.pid());
        var pids = n.putArray("worker_pids");
        workers.forEach(w -> pids.add(w.pid()));
        n.put("workers", o.workers()).put("cores_per_worker", o.coresPerWorker()).put("memory_per_worker", o.memoryPerWorker());
        try {
            Files.writeString(dir.resolve("cluster.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n) + "\n");
            Files.writeString(dir.resolve("master.pid"), master.pid() + "\n");
            for (int k = 0; k < workers.size(); k++) Files.writeString(dir.resolve("worker-" + (k + 1) + ".pid"), workers.get(k).pid() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the cluster's state into " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Process launch(Options o, Path dir, String name, List<String> mainAndArgs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add(ROLE + name);  // first: /proc/PID/cmdline is read only up to 4 KB, the classpath is longer
        cmd.add("-Xmx512m");  // the daemons only schedule; executors get spark.executor.memory from the application
        cmd.addAll(o.jvmOptions());
        // Spark's log4j binding first (./tuneless puts it in this property): the daemons and executors write logs
        String logging = System.getProperty("tuneless.cluster.logging-classpath", "");
        String classpath = logging.isBlank() ? o.classpath() : logging + File.pathSeparator + o.classpath();
        if (!logging.isBlank()) cmd.add(LOG4J_PROVIDER);  // chosen explicitly: slf4j-nop is on the classpath too
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.addAll(mainAndArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve(name + ".log").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.put("SPARK_HOME", dir.resolve("spark-home").toString());
        env.put("SPARK_SCALA_VERSION", "2.13");
        // the executors' classpath: Spark's launcher appends SPARK_DIST_CLASSPATH after SPARK_HOME/jars (empty here)
        env.put("SPARK_DIST_CLASSPATH", classpath);
        env.put("SPARK_LOG_DIR", dir.toString());
        // one BLAS/OpenMP thread per task core in every executor (they inherit the worker's environment)
        env.put("OMP_NUM_THREADS", "1");
        env.remove("SPARK_CONF_DIR");
        return pb.start();
    }

    /** This JVM's options worth passing on: module opening, and system properties (ND4J's cache, Netty's settings …). */
    static List<String> inheritedJvmOptions() {
        List<String> out = new ArrayList<>();
        for (String a : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (a.startsWith("--add-opens") || a.startsWith("--add-exports") || a.equals("-XX:+IgnoreUnrecognizedVMOptions")
                    || (a.startsWith("-D") && !a.startsWith("-Duser.dir") && !a.startsWith("-Djava.class.path"))) {
                out.add(a);
            }
        }
        return out;
    }

    /** The executors' extra options: the {@code -D} system properties (Spark adds its own module options). */
    private static List<String> executorJvmOptions(List<String> jvm) {
        List<String> out = new ArrayList<>();
        for (String a : jvm) {
            if (a.startsWith("-D") && !a.contains(" ") && !a.startsWith("-Dtuneless.cluster.")) out.add(a);
        }
        if (!System.getProperty("tuneless.cluster.logging-classpath", "").isBlank()) out.add(LOG4J_PROVIDER);
        return out;
    }

    private static void requireFree(String host, int port, String option, String what) {
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(host, port));
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " (" + what + ") on " + host + " is busy: " + e.getMessage()
                    + "; another Spark master? (./tuneless cluster status) — or choose another with " + option + " N");
        }
    }

    /** A live process whose command line is a Spark daemon's (a recycled pid of another program is not ours). */
    private static Optional<ProcessHandle> sparkProcess(long pid) {
        if (pid <= 0) return Optional.empty();
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(p -> p.info().commandLine()
                .map(c -> c.contains(ROLE)).orElse(true));
    }

    /** Stops the workers (their executors with them) and the master: SIGTERM, then SIGKILL after 10 s. */
    @Override public void close() {
        for (ProcessHandle w : workers) stopTree(w);
        if (master != null) stopTree(master);
        try {
            Files.deleteIfExists(dir.resolve("cluster.json"));
            Files.deleteIfExists(dir.resolve("master.pid"));
            for (int k = 1; k <= workers.size(); k++) Files.deleteIfExists(dir.resolve("worker-" + k + ".pid"));
        } catch (IOException e) {
            // the processes are gone; stale files make attach() find nothing alive
        }
    }

    private static void stopTree(ProcessHandle p) {
        List<ProcessHandle> children = p.descendants().toList();
        p.destroy();
        try {
            p.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
        } catch (Exception e) {
            p.destroyForcibly();
        }
        for (ProcessHandle c : children) {
            if (c.isAlive()) c.destroyForcibly();
        }
    }

    /** Status lines: master, UI, each worker (alive or not, cores, memory), running applications. */
    public List<String> status() {
        List<String> out = new ArrayList<>();
        out.add("master  " + masterUrl + "  " + (master == null ? "(its JVM is gone: ./tuneless cluster stop, then start-local)" : "(pid " + master.pid() + ")"));
        out.add("UI      " + uiUrl);
        JsonNode s;
        try {
            s = masterState();
        } catch (IllegalStateException e) {
            out.add("the master does not answer: " + e.getMessage());
            return out;
        }
        for (JsonNode w : s.path("workers")) {
            out.add(String.format(java.util.Locale.ROOT, "worker  %s  %s  cores %d/%d used  memory %d/%d MB used  %s", w.path("host").asText() + ":" + w.path("port").asInt(),
                    w.path("state").asText(), w.path("coresused").asInt(), w.path("cores").asInt(), w.path("memoryused").asInt(), w.path("memory").asInt(),
                    w.path("webuiaddress").asText()));
        }
        for (JsonNode a : s.path("activeapps")) {
            out.add("app     " + a.path("id").asText() + "  " + a.path("name").asText() + "  cores " + a.path("cores").asInt() + "  " + a.path("state").asText());
        }
        out.add(s.path("aliveworkers").asInt() + " worker(s) alive (" + workers.size() + " worker JVM(s) of this cluster running), "
                + s.path("activeapps").size() + " application(s) running");
        return out;
    }
}

package org.tuneless.run;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Runs a {@link SweepFile} on a {@link TrialExecutor} and keeps its output directory:
 * <ul>
 *   <li>{@code sweep.json} — the sweep file as run;</li>
 *   <li>{@code trials.jsonl} — one {@link TrialResult} (JSON) per finished trial, appended and flushed as it finishes;</li>
 *   <li>{@code results.csv} — the results table ({@link #table()}), rewritten (atomically) after every finished trial.</li>
 * </ul>
 * An existing directory continues the sweep (resume): its trials.jsonl is read (a partial last line left by a killed
 * driver is dropped), a sweep.json that differs from the file is refused naming the field, and only trials whose id
 * has no finished result run; the others' stored results are used as they are, so the table equals an uninterrupted
 * run's. Under ASHA and Hyperband the schedulers replay the stored results in place of running them (ids name the
 * configuration, seed, bracket and rung), so their decisions are those of the first run when trials finish in the same
 * order (always with one worker; Hyperband's synchronous rungs always).
 *
 * <p>A configuration that cannot be built (a value out of range) is a FAILED trial, and a trial that throws or diverges
 * is recorded with its status; neither stops the sweep.
 */
public final class SweepDriver {

    /**
     * Called after each finished trial: trials done (stored ones included), the total when known (else −1), the result,
     * and whether it was stored by an earlier run of the driver (reused, not run now).
     */
    @FunctionalInterface
    public interface Progress {
        void finished(int done, int total, TrialResult result, boolean stored);
    }

    private final SweepFile file;
    private final Path out;
    private final TrialExecutor executor;
    private final int workers;
    private Progress progress;
    private BooleanSupplier interrupted;

    /** What the table knows of each trial id that was planned or replayed. */
    private record Meta(int configuration, long seed, int bracket, int rung, int topRung, Map<String, Double> values) {}

    private final Map<String, Meta> meta = new LinkedHashMap<>();
    private final Map<String, TrialResult> stored = new HashMap<>();
    private final Map<String, TrialResult> results = new LinkedHashMap<>();
    private boolean finished;
    private int total = -1;

    /**
     * A driver of {@code file} writing to {@code out} (null = no files), running trials on {@code executor}; ASHA and
     * Hyperband keep up to {@code workers} trials in flight.
     */
    public SweepDriver(SweepFile file, Path out, TrialExecutor executor, int workers) {
        if (workers < 1) throw new IllegalArgumentException("workers = " + workers + " must be ≥ 1");
        this.file = file;
        this.out = out;
        this.executor = executor;
        this.workers = workers;
    }

    public SweepDriver progress(Progress p) {
        this.progress = p;
        return this;
    }

    /** Polled while running: when true, running trials stop after their current step and are not recorded (they rerun on resume). */
    public SweepDriver interruptWhen(BooleanSupplier flag) {
        this.interrupted = flag;
        return this;
    }

    public SweepFile file() { return file; }

    /** Trials whose results came from the directory (not run again). */
    public int resumed() { return (int) results.keySet().stream().filter(stored::containsKey).count(); }

    /**
     * Prepares the directory (creates it or checks that it holds this sweep) and reads its finished trials; returns how
     * many there are. {@link #run()} calls it.
     */
    public int prepare() {
        if (out == null) return 0;
        try {
            if (Files.exists(out) && !Files.isDirectory(out)) throw new IllegalArgumentException("--out " + out + " is a file, not a directory");
            Files.createDirectories(out);
            Path sweepJson = out.resolve("sweep.json");
            if (Files.exists(sweepJson)) {
                SweepFile was = SweepFile.parse(Files.readString(sweepJson), out.resolve("sweep.json").toString());
                List<String> d = was.difference(file);
                if (d != null) {
                    String field = d.isEmpty() ? "(the whole file)" : String.join(".", d);
                    throw new IllegalArgumentException(out + " holds another sweep: its sweep.json differs from " + file.source() + " at '" + field
                            + "' (was " + was.valueAt(d) + ", now " + file.valueAt(d) + "); use another --out directory, or the same sweep file to continue");
                }
            }
            Files.writeString(sweepJson, file.toJson());
            stored.clear();
            for (TrialResult r : readTrials(out.resolve("trials.jsonl"))) stored.putIfAbsent(r.id(), r);
            return stored.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use output directory " + out + ": " + e.getMessage(), e);
        }
    }

    /**
     * The results in a trials.jsonl: one per complete line; a last line without its line end (a driver killed while
     * writing it) is dropped and cut from the file; an INTERRUPTED result is not a result (the trial runs again).
     */
    public static List<TrialResult> readTrials(Path jsonl) throws IOException {
        List<TrialResult> out = new ArrayList<>();
        if (!Files.exists(jsonl)) return out;
        String text = Files.readString(jsonl, StandardCharsets.UTF_8);
        int end = text.lastIndexOf('\n') + 1;
        if (end < text.length()) {
            // a partial last line: keep the complete ones
            Files.writeString(jsonl, text.substring(0, end), StandardCharsets.UTF_8);
            text = text.substring(0, end);
        }
        int lineNo = 0;
        for (String line : text.split("\n")) {
            lineNo++;
            if (line.isBlank()) continue;
            TrialResult r;
            try {
                r = TrialResult.fromJson(line);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(jsonl + " line " + lineNo + " is not a trial result (" + e.getMessage() + "); remove the line to continue the sweep", e);
            }
            if (!r.status().equals("INTERRUPTED")) out.add(r);
        }
        return out;
    }

    /** Runs the trials without a finished result and returns the table of every trial (stored and new). */
    public SweepTable run() throws InterruptedException {
        prepare();
        Thread driver = Thread.currentThread();
        Thread watcher = null;
        if (interrupted != null) {
            watcher = new Thread(() -> {
                try {
                    while (!interrupted.getAsBoolean()) Thread.sleep(100);
                    driver.interrupt();
                } catch (InterruptedException e) {
                    // the sweep finished
                }
            }, "tuneless-sweep-interrupt");
            watcher.setDaemon(true);
            watcher.start();
        }
        try {
            switch (file.scheduler().kind()) {
                case "asha", "hyperband" -> runEarlyStopping();
                default -> runAll();
            }
            finished = true;
            writeCsv();
            return table();
        } finally {
            if (watcher != null) watcher.interrupt();
        }
    }

    /** The configuration×seed units of the sweep, in order, each with its spec or the error building it. */
    private record Unit(String id, SweepFile.Configuration configuration, long seed, RunSpec spec, RuntimeException error) {}

    private List<Unit> units() {
        List<Unit> out = new ArrayList<>();
        for (SweepFile.Configuration c : file.configurations()) {
            for (long seed : file.seeds()) {
                String id = file.trialId(c.index(), seed);
                try {
                    out.add(new Unit(id, c, seed, file.spec(c.values(), seed), null));
                } catch (RuntimeException e) {
                    out.add(new Unit(id, c, seed, null, e));
                }
            }
        }
        return out;
    }

    /** A unit that cannot be built: a FAILED result (recorded like any other). */
    private void failUnit(Unit u) {
        meta.put(u.id(), new Meta(u.configuration().index(), u.seed(), EarlyStopping.NO_BRACKET, -1, -1, u.configuration().values()));
        TrialResult r = stored.get(u.id());
        if (r == null) {
            r = TrialResult.failed(new Trial(u.id(), file.base().withSeed(u.seed())), u.error(), 0);
            append(r);
        }
        record(r);
    }

    private void runAll() throws InterruptedException {
        List<Unit> units = units();
        total = units.size();
        List<Trial> trials = new ArrayList<>();
        for (Unit u : units) {
            if (u.spec() == null) {
                failUnit(u);
                continue;
            }
            meta.put(u.id(), new Meta(u.configuration().index(), u.seed(), EarlyStopping.NO_BRACKET, -1, -1, u.configuration().values()));
            trials.add(new Trial(u.id(), u.spec()));
        }
        new Recording().run(trials, null);
    }

    private void runEarlyStopping() throws InterruptedException {
        List<Unit> units = new ArrayList<>();
        for (Unit u : units()) {
            if (u.spec() == null) failUnit(u);
            else units.add(u);
        }
        if (units.isEmpty()) return;
        List<RunSpec> specs = units.stream().map(Unit::spec).toList();
        long maxSteps = file.base().steps();
        SweepFile.Scheduler s = file.scheduler();
        boolean hyperband = s.kind().equals("hyperband");
        List<EarlyStopping.Bracket> brackets = hyperband ? EarlyStopping.hyperband(maxSteps, s.minSteps(), s.eta()) : List.of();
        int ashaTop = EarlyStopping.rungSteps(s.minSteps(), maxSteps, s.eta()).size() - 1;
        if (hyperband) {
            // trials when every one finishes with a usable value: a bracket's first rung runs its distinct configurations
            // (fewer than n when the list is shorter), each next rung the best ⌊n_i/η⌋ of them
            total = 0;
            for (EarlyStopping.Bracket b : brackets) {
                int count = Math.min(b.rungs().get(0).trials(), units.size());
                for (int i = 0; i < b.rungs().size(); i++) {
                    if (i > 0) count = Math.min(b.rungs().get(i - 1).trials() / s.eta(), count);
                    total += count;
                }
            }
        }
        EarlyStopping.TrialIds ids = (b, c, k) -> {
            Unit u = units.get(c);
            String id = (b == EarlyStopping.NO_BRACKET ? "" : "b" + b + "-") + u.id() + "-r" + k;
            synchronized (this) {
                meta.putIfAbsent(id, new Meta(u.configuration().index(), u.seed(), b, k, b == EarlyStopping.NO_BRACKET ? ashaTop : b, u.configuration().values()));
            }
            return id;
        };
        Recording rec = new Recording();
        if (hyperband) EarlyStopping.hyperband(specs, rec, workers, s.minSteps(), maxSteps, s.eta(), EarlyStopping::lastTestLoss, ids, null);
        else EarlyStopping.asha(specs, rec, workers, s.minSteps(), maxSteps, s.eta(), EarlyStopping::lastTestLoss, ids, null);
    }

    /**
     * The executor seen by the schedulers: a trial with a stored result reports it at once (not run again); the others
     * run on the sweep's executor, each finished one appended to trials.jsonl and the table before it is reported.
     */
    private final class Recording implements TrialExecutor {
        @Override public Execution start(List<Trial> trials, Consumer<TrialResult> onResult) {
            List<TrialResult> known = new ArrayList<>();
            List<Trial> fresh = new ArrayList<>();
            for (Trial t : trials) {
                TrialResult r = stored.get(t.id());
                if (r != null) known.add(r);
                else fresh.add(t);
            }
            for (TrialResult r : known) {
                synchronized (SweepDriver.this) {
                    record(r);
                }
                if (onResult != null) onResult.accept(r);
            }
            Execution e = fresh.isEmpty() ? null : executor.start(fresh, r -> {
                if (r.status().equals("INTERRUPTED")) return;  // not a result: runs again on resume
                synchronized (SweepDriver.this) {
                    append(r);
                    record(r);
                }
                if (onResult != null) onResult.accept(r);
            });
            return new Execution() {
                @Override public List<TrialResult> await() throws InterruptedException {
                    List<TrialResult> all = new ArrayList<>(known);
                    if (e != null) all.addAll(e.await());
                    return all;
                }

                @Override public void cancel() {
                    if (e != null) e.cancel();
                }
            };
        }
    }

    private void append(TrialResult r) {
        if (out == null) return;
        try (BufferedWriter w = Files.newBufferedWriter(out.resolve("trials.jsonl"), StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND)) {
            w.write(r.toJson());
            w.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to " + out.resolve("trials.jsonl") + ": " + e.getMessage(), e);
        }
    }

    private synchronized void record(TrialResult r) {
        results.put(r.id(), r);
        writeCsv();
        if (progress != null) progress.finished(results.size(), total, r, stored.get(r.id()) == r);
    }

    private synchronized void writeCsv() {
        if (out != null) table().writeCsv(out.resolve("results.csv"));
    }

    /** Whether the scheduler is ASHA or Hyperband (the table then has bracket/rung columns). */
    private boolean rungs() { return file.scheduler().earlyStopping(); }

    /**
     * The results so far, one row per finished trial in a fixed order (configuration, seed, then bracket and rung), so
     * that a resumed sweep's table equals an uninterrupted one's. Columns: trial, the parameters (as identifiers),
     * seed, [bracket, rung,] steps, status, final_loss, best_loss, test_loss, test_accuracy, seconds, host, message.
     * Under ASHA/Hyperband a completed trial below its top rung is PROMOTED when the same configuration went on, else
     * STOPPED (once the sweep has finished).
     */
    public synchronized SweepTable table() {
        List<SweepTable.Column> cols = new ArrayList<>();
        cols.add(new SweepTable.Column("trial", SweepTable.Type.STRING));
        Map<String, String> names = org.tuneless.metrics.Csv.columnNames(new ArrayList<>(file.parameters().keySet()));
        for (String n : names.values()) cols.add(new SweepTable.Column(n, SweepTable.Type.DOUBLE));
        cols.add(new SweepTable.Column("seed", SweepTable.Type.LONG));
        if (rungs()) {
            cols.add(new SweepTable.Column("bracket", SweepTable.Type.INT));
            cols.add(new SweepTable.Column("rung", SweepTable.Type.INT));
        }
        cols.add(new SweepTable.Column("steps", SweepTable.Type.LONG));
        cols.add(new SweepTable.Column("status", SweepTable.Type.STRING));
        for (String n : List.of("final_loss", "best_loss", "test_loss", "test_accuracy", "seconds")) cols.add(new SweepTable.Column(n, SweepTable.Type.DOUBLE));
        cols.add(new SweepTable.Column("host", SweepTable.Type.STRING));
        cols.add(new SweepTable.Column("message", SweepTable.Type.STRING));
        List<String> ids = new ArrayList<>(results.keySet());
        ids.removeIf(id -> !meta.containsKey(id));
        ids.sort(Comparator.<String>comparingInt(id -> meta.get(id).configuration()).thenComparingInt(id -> file.seeds().indexOf(meta.get(id).seed()))
                .thenComparingInt(id -> -meta.get(id).bracket()).thenComparingInt(id -> meta.get(id).rung()));
        List<List<Object>> rows = new ArrayList<>();
        for (String id : ids) {
            Meta m = meta.get(id);
            TrialResult r = results.get(id);
            boolean ran = !r.failed();
            List<Object> row = new ArrayList<>();
            row.add(id);
            for (String p : names.keySet()) row.add(m.values().get(p));
            row.add(m.seed());
            if (rungs()) {
                row.add(m.bracket() == EarlyStopping.NO_BRACKET ? null : m.bracket());
                row.add(m.rung() < 0 ? null : m.rung());
            }
            row.add(r.steps());
            row.add(status(id, m, r));
            row.add(ran ? r.finalLoss() : null);
            row.add(ran ? r.bestLoss() : null);
            var test = lastTest(r);
            row.add(test.map(org.tuneless.train.EvaluationRecord::loss).orElse(null));
            row.add(test.map(e -> Double.isNaN(e.accuracy()) ? null : e.accuracy()).orElse(null));
            row.add(r.seconds());
            row.add(r.host());
            row.add(r.message());
            rows.add(row);
        }
        return new SweepTable(cols, rows);
    }

    private String status(String id, Meta m, TrialResult r) {
        if (!rungs() || m.rung() < 0 || !r.status().equals("COMPLETED") || m.rung() >= m.topRung()) return r.status();
        for (Map.Entry<String, Meta> e : meta.entrySet()) {
            Meta o = e.getValue();
            if (o.configuration() == m.configuration() && o.seed() == m.seed() && o.bracket() == m.bracket() && o.rung() > m.rung() && results.containsKey(e.getKey())) {
                return "PROMOTED";
            }
        }
        return finished ? "STOPPED" : r.status();
    }

    private static Optional<org.tuneless.train.EvaluationRecord> lastTest(TrialResult r) {
        for (int i = r.evaluations().size() - 1; i >= 0; i--) if (r.evaluations().get(i).split().equals("test")) return Optional.of(r.evaluations().get(i));
        return Optional.empty();
    }

    /**
     * The best trial: the lowest last test loss (else final training loss) among COMPLETED trials that trained the full
     * budget (the base's steps); empty when none did.
     */
    public synchronized Optional<TrialResult> best() {
        return results.values().stream().filter(r -> r.status().equals("COMPLETED") && r.steps() == file.base().steps())
                .filter(r -> Double.isFinite(EarlyStopping.lastTestLoss(r)))
                .min(Comparator.comparingDouble(EarlyStopping::lastTestLoss));
    }

    /** Every finished result of this run (stored and new), by trial id. */
    public synchronized Map<String, TrialResult> results() { return new LinkedHashMap<>(results); }
}

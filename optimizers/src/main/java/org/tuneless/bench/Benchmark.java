package org.tuneless.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.tuneless.catalog.Component;
import org.tuneless.run.LocalExecutor;
import org.tuneless.run.RunSpec;
import org.tuneless.run.Trial;
import org.tuneless.run.TrialExecutor;
import org.tuneless.run.TrialResult;

/**
 * The benchmark: every contender on every workload of a suite — self-tuning contenders once per seed, external-tuning
 * contenders once per grid point and tuning seed (the first {@code tuningSeeds} seeds) — run on a
 * {@link TrialExecutor}. With an output directory the run is resumable: results.csv gets one flushed row per finished
 * trial, and a directory that already has results.csv continues (its trials are not run again; an interrupted trial,
 * never written, runs again from the start). DIVERGED and FAILED runs are rows like any other and never stop the
 * benchmark.
 */
public final class Benchmark {

    /** Reports each finished trial: how many are done (this session and before) of how many. */
    @FunctionalInterface
    public interface Progress {
        void finished(int done, int total, BenchRow row);
    }

    private final Suite suite;
    private final List<Contender> contenders;
    private final List<Long> seeds;
    private final int tuningSeeds;
    private final TrialExecutor executor;
    private final Path out;
    private final Progress progress;
    private final java.util.function.BooleanSupplier interrupted;

    private Benchmark(Builder b) {
        if (b.suite == null) throw new IllegalArgumentException("benchmark: no suite (smoke, standard, full or a suite file)");
        if (b.contenders.isEmpty()) throw new IllegalArgumentException("benchmark: no optimizers; e.g. prodigy, adam-tuned (presets: "
                + String.join(", ", Contenders.descriptions().keySet()) + ")");
        if (b.seeds.isEmpty()) throw new IllegalArgumentException("benchmark: no seeds");
        if (b.tuningSeeds < 1) throw new IllegalArgumentException("benchmark: tuningSeeds = " + b.tuningSeeds + " must be ≥ 1");
        Set<String> names = new HashSet<>();
        for (Contender c : b.contenders) {
            if (!names.add(c.name())) throw new IllegalArgumentException("benchmark: optimizer '" + c.name() + "' is listed twice");
        }
        if (new HashSet<>(b.seeds).size() != b.seeds.size()) throw new IllegalArgumentException("benchmark: a seed is listed twice: " + b.seeds);
        for (Workload w : b.suite.workloads()) {
            if (w.target() == null) {
                throw new IllegalArgumentException("workload " + w.name() + " has no target at level " + b.suite.level() + " of " + b.suite.source()
                        + "; set the targets first: ./tuneless bench targets --suite " + b.suite.label() + " --out SUITE.json");
            }
        }
        this.suite = b.suite;
        this.contenders = List.copyOf(b.contenders);
        this.seeds = List.copyOf(b.seeds);
        this.tuningSeeds = Math.min(b.tuningSeeds, b.seeds.size());
        this.executor = b.executor != null ? b.executor : new LocalExecutor(Math.max(1, Runtime.getRuntime().availableProcessors()));
        this.out = b.out;
        this.progress = b.progress;
        this.interrupted = b.interrupted;
    }

    public static Builder builder() { return new Builder(); }

    public static final class Builder {
        private Suite suite;
        private final List<Contender> contenders = new ArrayList<>();
        private final List<Long> seeds = new ArrayList<>();
        private int tuningSeeds = 1;
        private TrialExecutor executor;
        private Path out;
        private Progress progress;
        private java.util.function.BooleanSupplier interrupted;

        /** Polled while running: when true, running trials stop after their current step and are not recorded (they rerun on resume). */
        public Builder interruptWhen(java.util.function.BooleanSupplier s) { interrupted = s; return this; }

        public Builder suite(Suite s) { suite = s; return this; }

        public Builder contender(Contender c) { contenders.add(c); return this; }

        public Builder contenders(List<Contender> cs) { contenders.addAll(cs); return this; }

        public Builder seeds(List<Long> s) { seeds.clear(); seeds.addAll(s); return this; }

        /** External-tuning grids run on the first {@code n} seeds (default 1). */
        public Builder tuningSeeds(int n) { tuningSeeds = n; return this; }

        public Builder executor(TrialExecutor e) { executor = e; return this; }

        /** results.csv, benchmark.json and the report go here; an existing directory continues. */
        public Builder out(Path dir) { out = dir; return this; }

        public Builder progress(Progress p) { progress = p; return this; }

        public Benchmark build() { return new Benchmark(this); }
    }

    /** A planned run. */
    public record Planned(TrialId id, Workload workload, RunSpec spec) {}

    /** Every run of the benchmark, in execution order (workload by workload). */
    public List<Planned> plan() {
        List<Planned> out = new ArrayList<>();
        for (Workload w : suite.workloads()) {
            for (Contender c : contenders) {
                List<Long> s = c.ruleset() == Ruleset.SELF_TUNING ? seeds : seeds.subList(0, tuningSeeds);
                List<Component> configs = c.configurations();
                for (int i = 0; i < configs.size(); i++) {
                    Double knobValue = c.knob() == null ? null : c.grid().get(i);
                    for (long seed : s) {
                        TrialId id = new TrialId(w.name(), c.name(), c.ruleset(), c.knob(), knobValue, seed);
                        out.add(new Planned(id, w, w.runSpec(configs.get(i), c.schedule(), seed, c.name(), c.tracking())));
                    }
                }
            }
        }
        return out;
    }

    /** Runs the trials not yet in the output directory's results.csv and returns every row (old and new). */
    public BenchmarkResult run() throws InterruptedException {
        List<Planned> plan = plan();
        Path csv = out == null ? null : out.resolve("results.csv");
        List<BenchRow> previous = new ArrayList<>();
        if (out != null) {
            prepare();
            previous = ResultsCsv.read(csv);
            ResultsCsv.write(csv, previous);  // drops a partial last line left by a killed process
        }
        Set<String> done = new HashSet<>();
        for (BenchRow r : previous) done.add(r.trial());
        Map<String, Planned> byId = new LinkedHashMap<>();
        List<Trial> trials = new ArrayList<>();
        for (Planned p : plan) {
            if (done.contains(p.id().text())) continue;
            byId.put(p.id().text(), p);
            trials.add(new Trial(p.id().text(), p.spec()));
        }
        List<BenchRow> rows = new ArrayList<>(previous);
        Set<String> planned = new HashSet<>();
        plan.forEach(p -> planned.add(p.id().text()));
        int total = (int) previous.stream().filter(r -> planned.contains(r.trial())).count() + trials.size();
        int[] count = {total - trials.size()};
        Map<String, BenchRow> fresh = new HashMap<>();
        TrialExecutor.Execution execution = executor.start(trials, r -> {
            if (r.status().equals("INTERRUPTED")) return;  // not a result: runs again on resume
            Planned p = byId.get(r.id());
            BenchRow row = BenchRow.of(p.id(), p.workload(), r);
            if (csv != null) ResultsCsv.append(csv, row);
            fresh.put(r.id(), row);
            count[0]++;
            if (progress != null) progress.finished(count[0], total, row);
        });
        Thread watcher = null;
        if (interrupted != null) {
            watcher = new Thread(() -> {
                try {
                    while (!interrupted.getAsBoolean()) Thread.sleep(100);
                    execution.cancel();
                } catch (InterruptedException e) {
                    // the benchmark finished
                }
            }, "tuneless-bench-interrupt");
            watcher.setDaemon(true);
            watcher.start();
        }
        try {
            execution.await();
        } catch (InterruptedException e) {
            execution.cancel();
            throw e;
        } finally {
            if (watcher != null) watcher.interrupt();
        }
        for (Trial t : trials) if (fresh.containsKey(t.id())) rows.add(fresh.get(t.id()));
        return new BenchmarkResult(suite.label(), rows.stream().filter(r -> planned.contains(r.trial())).toList());
    }

    /** Creates the directory or checks that an existing one was a benchmark of the same suite. */
    private void prepare() {
        try {
            if (Files.exists(out) && !Files.isDirectory(out)) throw new IllegalArgumentException("--out " + out + " is a file, not a directory");
            Files.createDirectories(out);
            Path meta = out.resolve("benchmark.json");
            String suiteLabel = suite.label();
            if (Files.exists(meta)) {
                var n = SuiteFile.JSON.readTree(meta.toFile());
                String was = n.path("suite").asText();
                if (!was.equals(suiteLabel)) {
                    throw new IllegalArgumentException(out + " holds a benchmark of suite '" + was + "', not '" + suiteLabel
                            + "'; use another --out directory (an existing one continues the same suite)");
                }
            }
            var o = SuiteFile.JSON.createObjectNode();
            o.put("suite", suiteLabel);
            var cs = o.putArray("optimizers");
            contenders.forEach(c -> cs.add(c.toString()));
            var ss = o.putArray("seeds");
            seeds.forEach(ss::add);
            o.put("tuningSeeds", tuningSeeds);
            Files.writeString(meta, SuiteFile.JSON.writeValueAsString(o) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot use output directory " + out + ": " + e.getMessage(), e);
        }
    }

    public Suite suite() { return suite; }

    public List<Contender> contenders() { return contenders; }

    public List<Long> seeds() { return seeds; }

    public int tuningSeeds() { return tuningSeeds; }
}

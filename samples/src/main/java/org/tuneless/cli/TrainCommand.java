package org.tuneless.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

import org.tuneless.catalog.Component;
import org.tuneless.catalog.Entry;
import org.tuneless.catalog.Param;
import org.tuneless.catalog.ParamType;
import org.tuneless.optim.Optimizer;
import org.tuneless.optim.Optimizers;
import org.tuneless.optim.schedule.Schedules;
import org.tuneless.run.Catalogs;
import org.tuneless.run.Run;
import org.tuneless.run.RunSpec;
import org.tuneless.run.SpecText;
import org.tuneless.train.TrainingRun;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tuneless train}: one training run, written to --out as metrics.csv, metrics.jsonl, evaluations.csv and run.json.
 * The options become a {@link RunSpec} (the same value the Kotlin DSL builds); {@code --config run.json} re-runs a saved one.
 * The optimizer hyperparameter flags are generated from the optimizer catalog ({@link #addOptimizerOptions}).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train one model and write its history (metrics.csv, metrics.jsonl, evaluations.csv, run.json) to --out.")
final class TrainCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--config", paramLabel = "FILE",
            description = "Re-run a saved run spec: a run.json written by train (its config.spec) or a spec JSON file. Combine only with --out, --plot, --quiet.")
    Path config;

    @Option(names = "--model", defaultValue = "mlp:784-256-256-10", paramLabel = "SPEC",
            description = "Model: mlp:IN-H1-...-OUT[:relu|tanh|gelu], cnn, resnet18[:batch|layer|none], resnet34[:…], mixer, vit, nanolm (text), "
                    + "lstm (image rows, or a character LSTM on text), or NAME:key=value,… (default ${DEFAULT-VALUE}; shapes and classes follow --data; ./tuneless list models).")
    String model;

    @Option(names = "--data", defaultValue = "fashion-mnist", paramLabel = "SPEC",
            description = "Data: " + SpecText.DATA_FORMS + " (default ${DEFAULT-VALUE}: the Debian files if installed, else the embedded 4,096/1,024 subset).")
    String data;

    @Option(names = "--optimizer", defaultValue = "adam", paramLabel = "NAME", description = "Optimizer (default ${DEFAULT-VALUE}); one of ${COMPLETION-CANDIDATES}.",
            completionCandidates = OptimizerNames.class)
    String optimizer;

    @Option(names = "--schedule", paramLabel = "SPEC",
            description = "Learning-rate schedule multiplying the optimizer's lr (base optimizers, prodigy, dadapt-*, and wrappers around them): "
                    + "cosine[:warmup=100,final=0.1], linear[:warmup=…,final=…], wsd:warmup=100,decay=0.2, step:every=100,factor=0.5, warmup:steps=100, "
                    + "constant; join phases with + (warmup:steps=100+cosine). Default none; ./tuneless list schedules.")
    String schedule;

    @Option(names = "--steps", defaultValue = "500", description = "Optimizer steps (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--batch", defaultValue = "128", paramLabel = "N|full", description = "Minibatch size or 'full' for full-batch (default ${DEFAULT-VALUE}).")
    String batch;

    @Option(names = "--loss", defaultValue = "ce", paramLabel = "ce|mse",
            description = "ce = softmax cross-entropy; mse = ½‖output − onehot‖² summed over outputs, averaged over the batch (default ${DEFAULT-VALUE}).")
    String loss;

    @Option(names = "--seed", defaultValue = "0", description = "Seed for initialization and batch order (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--dtype", defaultValue = "float32", paramLabel = "float32|float64", description = "Floating-point type (default ${DEFAULT-VALUE}).")
    String dtype;

    @Option(names = "--eval-every", defaultValue = "50", paramLabel = "K", description = "Evaluate train/test loss and accuracy every K steps (default ${DEFAULT-VALUE}; 0 = at the end).")
    long evalEvery;

    @Option(names = "--eval-at", defaultValue = "average", paramLabel = "POINT", description = "Where to evaluate when the optimizer "
            + "offers an evaluation point of its own: average (default: Schedule-Free's x, an iterate average) or live (the parameters "
            + "gradients are taken at). Other optimizers evaluate at their live parameters either way.")
    String evalAt = "average";

    @Option(names = "--eval-subset", defaultValue = "0", paramLabel = "N", description = "Evaluate each split on its first N examples "
            + "only (a fixed subset: cheaper evaluations of large test sets; default 0 = the whole split).")
    long evalSubset = 0;

    @Option(names = "--eval-periodic-subset", defaultValue = "auto", paramLabel = "auto|all|N", description = "Examples per split for the "
            + "evaluations during training (the final evaluation uses --eval-subset): auto (default: without --eval-subset, a fixed subset "
            + "of max(256, every × batch / (4 × splits)) examples, so that evaluating costs about a tenth of a run or less), all (the "
            + "final evaluation's examples), or N.")
    String evalPeriodicSubset = "auto";

    @Option(names = "--divergence-factor", paramLabel = "F", description = "The run is DIVERGED (exit 1) when its loss stays above F × its "
            + "first loss (or best, see --divergence-relative-to) for --divergence-patience steps (default 10; 'off' disables this test; "
            + "NaN/Inf values and a negative or infinite learning rate always count).")
    String divergenceFactor;

    @Option(names = "--divergence-patience", paramLabel = "N", description = "Consecutive steps above the limit before a run counts as diverged (default 20).")
    Integer divergencePatience;

    @Option(names = "--divergence-relative-to", paramLabel = "first|best", description = "The loss the factor multiplies: first (default) or best so far.")
    String divergenceRelativeTo;

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default runs/<optimizer>).")
    Path out;

    @Option(names = "--plot", paramLabel = "FILE", description = "Also save the run's charts (loss, lr, sharpness, η·λ, gradient norm) as FILE.svg or FILE.png.")
    Path plot;

    @Option(names = "--save", paramLabel = "FILE",
            description = "Also save the trained model as a safetensors file (tensors by parameter name, model spec in its metadata; reload with ModelFiles.load, read with NumPy/PyTorch).")
    Path save;

    @Option(names = "--checkpoint-every", defaultValue = "0", paramLabel = "N",
            description = "Write a checkpoint (parameters, optimizer state, data position, trackers, history) every N steps into OUT/checkpoints (default 0: only on Ctrl-C/SIGTERM or with --checkpoint-on-exit).")
    long checkpointEvery;

    @Option(names = "--keep", defaultValue = "3", paramLabel = "K", description = "Keep the newest K checkpoints (default ${DEFAULT-VALUE}).")
    int keep;

    @Option(names = "--checkpoint-on-exit", description = "Also write a checkpoint when the run ends (so it can be extended with --resume DIR --steps M --override steps).")
    boolean checkpointOnExit;

    @Option(names = "--resume", paramLabel = "DIR",
            description = "Continue the run in DIR (a --out directory) from its newest valid checkpoint, bit for bit; writes into DIR unless --out is given. "
                    + "Run options given with it must match the checkpoint's spec unless --override names them.")
    Path resume;

    @Option(names = "--override", paramLabel = "FIELD,...", split = ",",
            description = "With --resume: spec fields allowed to change (steps, evaluation, tracking, …; see run.json config.spec).")
    List<String> override = new ArrayList<>();

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--track", paramLabel = "WHAT[:k=v,...]",
            description = "Measure curvature during training, e.g. sharpness:every=20 (repeatable; each --track has its own schedule). WHAT: sharpness, "
                    + "preconditioned-sharpness, update-curvature, elr (join with +). Options: every=K, at=S1;S2, iters=N, tol=X, subset=N "
                    + "(first N training examples; default the current batch).")
    List<String> track = new ArrayList<>();

    @Option(names = "--curvature-batch", paramLabel = "auto|N",
            description = "The examples every --track measures on: N = the first N training examples (subset=N); auto = as many examples of "
                    + "the batch as an exact HVP fits in memory (Network.memoryPlan; the choice is the metric curvature_batch). Default: the current batch.")
    String curvatureBatch;

    /** A --track text with the option --curvature-batch adds (unless the track sets its own subset). */
    static String withCurvatureBatch(String track, String curvatureBatch) {
        if (curvatureBatch == null) return track;
        String extra;
        if (curvatureBatch.equals("auto")) {
            extra = "fitMemory=true";
        } else {
            long n;
            try {
                n = Long.parseLong(curvatureBatch);
            } catch (NumberFormatException e) {
                n = 0;
            }
            if (n < 1) throw new IllegalArgumentException("--curvature-batch '" + curvatureBatch + "': give auto or a number of examples ≥ 1");
            if (track.matches(".*[:,]subset=.*")) return track;
            extra = "subset=" + n;
        }
        return track + (track.contains(":") ? "," : ":") + extra;
    }

    /** Run options that --config replaces. */
    private static final List<String> RUN_OPTIONS = List.of("--model", "--data", "--optimizer", "--schedule", "--steps", "--batch", "--loss", "--seed", "--dtype", "--eval-every", "--eval-at", "--eval-subset", "--eval-periodic-subset", "--track",
            "--curvature-batch", "--divergence-factor", "--divergence-patience", "--divergence-relative-to");
    /** The spec field each run option sets (for --resume). */
    private static final Map<String, String> OPTION_FIELDS = Map.ofEntries(Map.entry("--model", "model"), Map.entry("--data", "data"),
            Map.entry("--optimizer", "optimizer"), Map.entry("--schedule", "schedule"), Map.entry("--steps", "steps"), Map.entry("--batch", "batch"),
            Map.entry("--loss", "loss"), Map.entry("--seed", "seed"), Map.entry("--dtype", "dtype"), Map.entry("--eval-every", "evaluation"),
            Map.entry("--eval-at", "evaluation"), Map.entry("--eval-subset", "evaluation"), Map.entry("--eval-periodic-subset", "evaluation"), Map.entry("--track", "tracking"),
            Map.entry("--curvature-batch", "tracking"), Map.entry("--divergence-factor", "divergence"), Map.entry("--divergence-patience", "divergence"), Map.entry("--divergence-relative-to", "divergence"));

    static final class OptimizerNames implements Iterable<String> {
        @Override public java.util.Iterator<String> iterator() { return Optimizers.names().iterator(); }
    }

    /**
     * Adds one {@code --flag} per optimizer parameter of the catalog (camelCase name → kebab-case flag), with its doc and
     * the defaults of the optimizers that take it; only those the chosen optimizer takes are accepted (the catalog says).
     */
    static void addOptimizerOptions(CommandSpec train) {
        Map<String, List<String>> takers = new TreeMap<>();
        Map<String, Param> first = new LinkedHashMap<>();
        for (Entry<Optimizer> e : Optimizers.CATALOG.entries()) {
            for (Param p : e.params()) {
                first.putIfAbsent(p.flag(), p);
                takers.computeIfAbsent(p.flag(), k -> new ArrayList<>()).add(e.name() + " " + p.defaultText());
                for (String f : p.forwarded()) takers.computeIfAbsent(Param.kebab(f), k -> new ArrayList<>()).add(e.name() + " (to its base)");
            }
        }
        for (Map.Entry<String, Param> f : first.entrySet()) {
            Param p = f.getValue();
            String label = p.type() == ParamType.SPEC ? "NAME" : p.type() == ParamType.BOOL ? "true|false" : p.type() == ParamType.INT ? "N" : "X";
            String doc = p.doc() + (p.type() == ParamType.SPEC ? " (" + String.join(", ", p.choices()) + ")" : "")
                    + ". Optimizer hyperparameter; defaults: " + String.join(", ", takers.get(f.getKey())) + ".";
            train.addOption(OptionSpec.builder("--" + f.getKey()).paramLabel(label).type(String.class).description(doc).build());
        }
    }

    /** The generated optimizer options that were given, as kebab-case key → text. */
    private Map<String, String> optimizerOptions() {
        Map<String, String> m = new LinkedHashMap<>();
        for (OptionSpec o : spec.options()) {
            if (o.userObject() != null || o.getValue() == null || !(o.getValue() instanceof String v)) continue;
            String key = o.longestName().substring(2);
            if (isGenerated(key)) m.put(key, v);
        }
        return m;
    }

    private static boolean isGenerated(String flag) {
        for (Entry<Optimizer> e : Optimizers.CATALOG.entries()) {
            for (Param p : e.params()) if (p.flag().equals(flag)) return true;
        }
        return false;
    }

    @Override public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        var parsed = spec.commandLine().getParseResult();
        RunSpec runSpec;
        org.tuneless.train.Checkpoint checkpoint = null;
        if (!override.isEmpty() && resume == null) throw new IllegalArgumentException("--override only applies with --resume DIR");
        if (resume != null) {
            if (config != null) throw new IllegalArgumentException("--resume continues the checkpoint's own spec; do not combine it with --config");
            checkpoint = org.tuneless.run.Resume.checkpoint(resume);
            RunSpec saved = org.tuneless.run.Resume.savedSpec(checkpoint);
            java.util.Set<String> given = new java.util.LinkedHashSet<>();
            for (String opt : RUN_OPTIONS) if (parsed.hasMatchedOption(opt)) given.add(OPTION_FIELDS.get(opt));
            if (!optimizerOptions().isEmpty()) given.add("optimizer");
            RunSpec requested = given.isEmpty() ? saved
                    : org.tuneless.run.Resume.merge(saved, spec(parsed.hasMatchedOption("--optimizer") ? optimizer : saved.optimizer().name(), optimizerOptions()), given);
            runSpec = org.tuneless.run.Resume.check(checkpoint, requested, override);
        } else if (config != null) {
            for (String opt : RUN_OPTIONS) {
                if (parsed.hasMatchedOption(opt)) {
                    throw new IllegalArgumentException("--config runs the saved spec as it is; do not combine it with " + opt + " (edit the JSON instead)");
                }
            }
            if (!optimizerOptions().isEmpty()) throw new IllegalArgumentException("--config runs the saved spec as it is; do not combine it with optimizer options");
            runSpec = RunSpec.read(config);
        } else {
            runSpec = spec(optimizer, optimizerOptions());
        }
        Path dir = out != null ? out : resume != null ? runDirectory(resume)
                : runSpec.output().dir() != null ? Path.of(runSpec.output().dir()) : Path.of("runs", runSpec.optimizer().name());
        if (checkpointEvery < 0) throw new IllegalArgumentException("--checkpoint-every = " + checkpointEvery + " must be ≥ 0 steps");
        if (keep < 1) throw new IllegalArgumentException("--keep = " + keep + " must be ≥ 1");
        if (plot != null) {
            String f = plot.getFileName() == null ? "" : plot.getFileName().toString().toLowerCase(Locale.ROOT);
            if (!f.endsWith(".svg") && !f.endsWith(".png")) throw new IllegalArgumentException("--plot: cannot save a plot as '" + plot.getFileName() + "': use a .svg or .png file name (checked before training)");
        }
        if (save != null && Files.isDirectory(save)) throw new IllegalArgumentException("--save " + save + " is a directory; give a file name such as model.safetensors");
        for (Path file : new Path[]{save, plot}) {
            Path parent = file == null ? null : file.toAbsolutePath().getParent();
            if (parent == null) continue;
            try {
                Files.createDirectories(parent);
            } catch (java.io.IOException | SecurityException e) {
                throw new IllegalArgumentException("cannot create the directory " + parent + " for " + file.getFileName() + " (checked before training): " + e);
            }
            if (!Files.isWritable(parent)) throw new IllegalArgumentException("the directory " + parent + " for " + file.getFileName() + " is not writable (checked before training)");
        }
        org.tuneless.train.Trainer.validateOutput(dir);
        Interruption signals = Interruption.install();
        TrainingRun run;
        try {
            Run.Persistence persistence = new Run.Persistence(dir, new org.tuneless.train.Trainer.CheckpointPolicy(dir.resolve("checkpoints"), checkpointEvery, keep,
                    checkpointOnExit), checkpoint, signals::requested);
            Run r = Run.start(runSpec, Run.Options.DEFAULT.withProgress(!quiet).withPersistence(persistence));
            o.println("model " + r.spec().model().name() + " (" + r.network().parameterCount() + " parameters), data " + r.data().description()
                    + ", optimizer " + r.optimizer().name() + r.evaluationNote()
                    + (checkpoint == null ? "" : ", resumed from " + checkpoint.directory() + " at step " + checkpoint.step()));
            try {
                run = r.run();
            } catch (org.tuneless.train.TrainingFailedException e) {
                // a failure during training is not bad input: exit 1, with what was kept
                Throwable cause = e.getCause();
                if (System.getenv("TUNELESS_DEBUG") != null) cause.printStackTrace(spec.commandLine().getErr());
                spec.commandLine().getErr().println("tuneless train: training failed: " + e.getMessage() + " (" + cause.getClass().getSimpleName()
                        + "; set TUNELESS_DEBUG=1 for the stack trace)");
                o.print(e.run().summary());
                o.println("  results so far: " + dir.toAbsolutePath() + " (run.json status FAILED; metrics up to step " + e.step() + ")");
                return 1;
            }
        } finally {
            signals.uninstall();
        }
        try {
            if (plot != null) org.tuneless.plot.RunPlots.of(run).save(plot);
            if (save != null) org.tuneless.run.ModelFiles.save(save, run);
        } catch (RuntimeException e) {
            // the run itself is complete and its files are written: a failure here is not bad input (exit 1, not 2)
            spec.commandLine().getErr().println("tuneless train: error after training: " + e.getMessage() + " (the run's files are in "
                    + dir.toAbsolutePath() + ")");
            o.print(run.summary());
            return 1;
        }
        o.print(run.summary());
        if (plot != null) o.println("  plot: " + plot.toAbsolutePath());
        if (save != null) o.println("  model: " + save.toAbsolutePath() + " (safetensors)");
        o.println("  results: " + dir.toAbsolutePath() + " (metrics.csv, metrics.jsonl, evaluations.csv, run.json; re-run: ./tuneless train --config "
                + dir.resolve("run.json") + ")");
        if (run.status() == org.tuneless.train.TrainingStatus.INTERRUPTED) {
            o.println("  resume: ./tuneless train --resume " + dir);
            return 128 + signals.signal();
        }
        return run.diverged() ? 1 : 0;
    }

    /** The run directory of a --resume argument (a run directory, its checkpoints directory, or one checkpoint). */
    static Path runDirectory(Path resume) {
        Path abs = resume.toAbsolutePath().normalize();
        if (Files.exists(abs.resolve("state.json")) && abs.getParent() != null && abs.getParent().getFileName().toString().equals("checkpoints")) return abs.getParent().getParent();
        if (abs.getFileName() != null && abs.getFileName().toString().equals("checkpoints")) return abs.getParent();
        return abs;
    }

    /** The run spec of these options with optimizer {@code optimizerName} and its text options. */
    RunSpec spec(String optimizerName, Map<String, String> options) {
        if (steps <= 0) throw new IllegalArgumentException("--steps = " + steps + " must be a positive integer");
        if (evalEvery < 0) throw new IllegalArgumentException("--eval-every = " + evalEvery + " must be ≥ 0");
        if (evalSubset < 0) throw new IllegalArgumentException("--eval-subset = " + evalSubset + " must be ≥ 0 (0 = the whole split)");
        String type = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "float32", "float", "f32" -> "float32";
            case "float64", "double", "f64" -> "float64";
            default -> throw new IllegalArgumentException("unknown --dtype '" + dtype + "'; valid: float32, float64");
        };
        RunSpec.Batch b;
        if (batch.equalsIgnoreCase("full")) {
            b = RunSpec.Batch.full();
        } else {
            int size;
            try {
                size = Integer.parseInt(batch);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad --batch '" + batch + "'; expected a positive integer or 'full'");
            }
            if (size <= 0) throw new IllegalArgumentException("--batch = " + size + " must be positive (or 'full')");
            b = RunSpec.Batch.of(size);
        }
        Component opt = Optimizers.spec(optimizerName, options);
        Component lossSpec = Catalogs.LOSSES.spec(loss.toLowerCase(Locale.ROOT));
        Component modelSpec = SpecText.model(model);
        Component dataSpec = SpecText.data(data);
        List<Component> trackers = new ArrayList<>();
        for (String t : track) trackers.addAll(SpecText.track(withCurvatureBatch(t, curvatureBatch)));
        return new RunSpec(modelSpec, dataSpec, lossSpec, opt, steps, b, seed, type, optimizerName, trackers, RunSpec.Evaluation.every(evalEvery).at(RunSpec.evaluationMode(evalAt, "--eval-at"))
                .subset(evalSubset).periodicSubset(RunSpec.Evaluation.parsePeriodicSubset(evalPeriodicSubset, "--eval-periodic-subset")),
                null, new RunSpec.Output(out == null ? null : out.toString()), List.of(), Schedules.parse(schedule), divergence());
    }

    /** The divergence test of --divergence-factor/-patience/-relative-to (defaults for what is not given). */
    RunSpec.Divergence divergence() {
        RunSpec.Divergence d = RunSpec.Divergence.DEFAULT;
        double factor = d.factor();
        if (divergenceFactor != null) {
            String f = divergenceFactor.trim().toLowerCase(Locale.ROOT);
            if (f.equals("off") || f.equals("inf") || f.equals("infinity")) factor = Double.POSITIVE_INFINITY;
            else {
                try {
                    factor = Double.parseDouble(f);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--divergence-factor '" + divergenceFactor + "' is not a number > 1 or 'off'");
                }
            }
        }
        try {
            return new RunSpec.Divergence(factor, divergencePatience == null ? d.patience() : divergencePatience,
                    divergenceRelativeTo == null ? d.relativeTo() : divergenceRelativeTo);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().replace("divergence.factor", "--divergence-factor").replace("divergence.patience", "--divergence-patience")
                    .replace("divergence.relative_to", "--divergence-relative-to"));
        }
    }

    /** Builds and trains {@code runSpec}, printing one line about it first. */
    static TrainingRun train(RunSpec runSpec, PrintWriter out, boolean progress) {
        Run run = Run.start(runSpec, Run.Options.DEFAULT.withProgress(progress));
        out.println("model " + run.spec().model().name() + " (" + run.network().parameterCount() + " parameters), data " + run.data().description()
                + ", optimizer " + run.optimizer().name() + run.evaluationNote());
        return run.run();
    }


    TrainingRun trainOne(String optimizerName, Map<String, String> options, PrintWriter out, boolean progress) {
        return train(spec(optimizerName, options), out, progress);
    }
}

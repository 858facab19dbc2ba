package org.tuneless.run;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.nd4j.linalg.api.buffer.DataType;
import org.tuneless.catalog.Catalog;
import org.tuneless.catalog.Component;
import org.tuneless.catalog.Specification;
import org.tuneless.optim.Optimizers;
import org.tuneless.optim.schedule.Schedule;
import org.tuneless.optim.schedule.Schedules;
import org.tuneless.train.EvaluationMode;
import org.tuneless.train.TrainingRun;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One training run as data: model, data, loss, optimizer (with its nested base), steps, batch, seed, precision, label,
 * curvature tracking, evaluation, augmentation, output and the learning-rate schedule (a list of
 * {@link Schedules#CATALOG} entries one after the other, e.g. warmup then cosine; empty = constant; it multiplies the
 * optimizer's learning rate through {@link org.tuneless.optim.Scheduled}). Immutable; JSON round-trip ({@link #toJson}, {@link #fromJson})
 * with deterministic key order; prints as the Kotlin DSL code that builds it ({@link #toDsl}); {@link #build} does all the
 * wiring (data, shapes, classes, casts, batches, evaluation sets, trackers, seeds) for the CLI, the DSL, sweeps and
 * notebooks. {@code extras} names parts that are not data (a custom model, plug-ins): such a spec is written to run.json
 * for the record but cannot be re-run from it.
 */
public record RunSpec(Component model, Component data, Component loss, Component optimizer, long steps, Batch batch, long seed,
                      String dtype, String label, List<Component> tracking, Evaluation evaluation, Augmentation augmentation,
                      Output output, List<String> extras, List<Component> schedule, Divergence divergence) implements Specification {

    /** Minibatches of {@code size} examples, or the full training set every step ({@code size} null). */
    public record Batch(Integer size) {
        public Batch {
            if (size != null && size <= 0) throw new IllegalArgumentException("batch = " + size + " must be a positive number of examples (or \"full\")");
        }

        public static Batch full() { return new Batch(null); }

        public static Batch of(int size) { return new Batch(size); }

        public boolean isFull() { return size == null; }

        @Override public String toString() { return size == null ? "full" : size.toString(); }
    }

    /**
     * Evaluate loss and accuracy on {@code splits} every {@code every} steps and after the last (0 = only after the last),
     * at {@code at}: {@link EvaluationMode#AVERAGE} (the default) evaluates at the optimizer's evaluation point when it
     * offers one (Schedule-Free's x, an iterate average), {@link EvaluationMode#LIVE} at the live parameters.
     * {@code subset} &gt; 0 evaluates each split on its first {@code subset} examples only (a fixed subset, the same at
     * every evaluation; 0 = the whole split).
     *
     * <p>{@code periodicSubset} sizes the evaluations <em>during</em> training (the final one always uses {@code subset}):
     * {@link #AUTO} (the default) — when no {@code subset} is given, a fixed subset of each split sized so that
     * evaluating takes at most a quarter of the examples trained between two evaluations
     * ({@code max(256, every × batch / (4 × splits))} examples, the first ones of the split), so that periodic evaluation
     * stays near or below a tenth of a run; with a {@code subset}, that subset. {@link #ALL} = the same examples as the
     * final evaluation; N &gt; 0 = the first N examples (at most the final evaluation's).
     */
    public record Evaluation(long every, List<String> splits, EvaluationMode at, long subset, long periodicSubset) {
        /** {@code periodicSubset}: sized from the training between evaluations (see the class comment). */
        public static final long AUTO = -1;
        /** {@code periodicSubset}: the same examples as the final evaluation. */
        public static final long ALL = 0;
        /** The smallest automatic periodic subset per split. */
        public static final long AUTO_MINIMUM = 256;

        public Evaluation {
            if (every < 0) throw new IllegalArgumentException("evaluation.every = " + every + " must be ≥ 0 (0 = at the end only)");
            if (subset < 0) throw new IllegalArgumentException("evaluation.subset = " + subset + " must be ≥ 0 (0 = the whole split)");
            if (periodicSubset < AUTO) throw new IllegalArgumentException("evaluation.periodic_subset = " + periodicSubset
                    + " must be \"auto\", \"all\" or a number of examples ≥ 1");
            if (at == null) at = EvaluationMode.AVERAGE;
            splits = List.copyOf(splits);
            for (String s : splits) {
                if (!s.equals("train") && !s.equals("test")) throw new IllegalArgumentException("evaluation.splits: '" + s + "' is not a split; valid: train, test");
            }
        }

        public Evaluation(long every, List<String> splits, EvaluationMode at, long subset) { this(every, splits, at, subset, AUTO); }

        public Evaluation(long every, List<String> splits) { this(every, splits, EvaluationMode.AVERAGE, 0); }

        public static Evaluation every(long k) { return new Evaluation(k, List.of("train", "test")); }

        /** The same evaluation at {@code point}. */
        public Evaluation at(EvaluationMode point) { return new Evaluation(every, splits, point, subset, periodicSubset); }

        /** The same evaluation on the first {@code n} examples of each split (0 = all). */
        public Evaluation subset(long n) { return new Evaluation(every, splits, at, n, periodicSubset); }

        /** The same evaluation with evaluations during training on {@code n} examples ({@link #AUTO}, {@link #ALL} or N). */
        public Evaluation periodicSubset(long n) { return new Evaluation(every, splits, at, subset, n); }

        public Evaluation withSplits(List<String> s) { return new Evaluation(every, s, at, subset, periodicSubset); }

        /** Examples of a split of {@code splitSize} used by the final evaluation. */
        public long finalExamples(long splitSize) { return subset > 0 ? Math.min(subset, splitSize) : splitSize; }

        /**
         * Examples of a split of {@code splitSize} used by the evaluations during training, when {@code batch} examples
         * are trained per step ({@code batch} = the training set's size for full batches).
         */
        public long periodicExamples(long splitSize, long batch) {
            long fin = finalExamples(splitSize);
            if (periodicSubset == ALL) return fin;
            if (periodicSubset > 0) return Math.min(periodicSubset, fin);
            if (subset > 0 || every == 0) return fin;
            // a forward pass is ≈ 1/3 of a training step's work: a quarter of the examples costs ≈ 1/12 of the training
            long budget = every * batch / (4L * Math.max(1, splits.size()));
            return Math.min(fin, Math.max(AUTO_MINIMUM, budget));
        }

        /** The JSON/CLI text of {@code periodicSubset}: auto, all or the number. */
        public String periodicSubsetText() {
            return periodicSubset == AUTO ? "auto" : periodicSubset == ALL ? "all" : Long.toString(periodicSubset);
        }

        /** Parses auto, all or a number of examples ≥ 1; {@code where} names the field in the error. */
        public static long parsePeriodicSubset(String text, String where) {
            String t = text.trim().toLowerCase(java.util.Locale.ROOT);
            if (t.equals("auto")) return AUTO;
            if (t.equals("all")) return ALL;
            try {
                long n = Long.parseLong(t);
                if (n >= 1) return n;
            } catch (NumberFormatException ignored) {
                // reported below
            }
            throw new IllegalArgumentException(where + " = " + text + " is not a periodic evaluation size; valid: auto (a fixed subset "
                    + "sized from the training between evaluations, the default), all (the final evaluation's examples), or a number of examples ≥ 1");
        }
    }

    /** Random crops of images padded by {@code padding} zeros, and random horizontal flips. */
    public record Augmentation(int padding, boolean flip) {
        public Augmentation {
            if (padding < 0) throw new IllegalArgumentException("cropAndFlip: padding = " + padding + " must be ≥ 0");
        }
    }

    /** Where the CLI writes the run (null = runs/&lt;optimizer&gt;). */
    public record Output(String dir) {}

    /**
     * When a run counts as diverging, beyond non-finite values and a negative or infinite learning rate (always): its
     * loss above {@code factor} × its first loss ({@code relativeTo} "first") or × the best loss so far ("best") for
     * {@code patience} consecutive steps. {@code factor} = ∞ turns the loss test off.
     */
    public record Divergence(double factor, int patience, String relativeTo) {
        public static final List<String> REFERENCES = List.of("first", "best");
        public static final Divergence DEFAULT = new Divergence(org.tuneless.train.Trainer.DEFAULT_DIVERGENCE_FACTOR,
                org.tuneless.train.Trainer.DEFAULT_DIVERGENCE_PATIENCE, "first");

        public Divergence {
            if (!(factor > 1)) throw new IllegalArgumentException("divergence.factor = " + factor + " must be > 1 (the loss multiple that counts as diverging; Infinity turns the loss test off)");
            if (patience < 1) throw new IllegalArgumentException("divergence.patience = " + patience + " must be ≥ 1 consecutive step");
            if (relativeTo == null) relativeTo = "first";
            if (!REFERENCES.contains(relativeTo)) throw new IllegalArgumentException("divergence.relative_to = '" + relativeTo + "'; valid: first (the first loss), best (the best loss so far)");
        }

        public boolean isDefault() { return equals(DEFAULT); }
    }

    public static final List<String> DTYPES = List.of("float32", "float64");

    public RunSpec {
        if (steps <= 0) throw new IllegalArgumentException("steps = " + steps + " must be a positive number of optimizer steps");
        if (!DTYPES.contains(dtype)) throw new IllegalArgumentException("dtype = '" + dtype + "'; valid: float32, float64");
        check(model, "model", Catalogs.MODELS, true);
        check(data, "data", Catalogs.DATA, false);
        check(loss, "loss", Catalogs.LOSSES, false);
        check(optimizer, "optimizer", Optimizers.CATALOG, false);
        tracking = List.copyOf(tracking);
        for (Component t : tracking) check(t, "tracking", Catalogs.TRACKERS, false);
        if (batch == null) batch = Batch.full();
        if (evaluation == null) evaluation = Evaluation.every(0);
        if (output == null) output = new Output(null);
        extras = List.copyOf(extras);
        schedule = schedule == null ? List.of() : List.copyOf(schedule);
        for (Component c : schedule) check(c, "schedule", Schedules.CATALOG, false);
        Schedules.build(schedule);  // the composition is valid (at most one phase takes the rest)
        if (divergence == null) divergence = Divergence.DEFAULT;
    }

    /** A spec with the default divergence test. */
    public RunSpec(Component model, Component data, Component loss, Component optimizer, long steps, Batch batch, long seed,
                   String dtype, String label, List<Component> tracking, Evaluation evaluation, Augmentation augmentation,
                   Output output, List<String> extras, List<Component> schedule) {
        this(model, data, loss, optimizer, steps, batch, seed, dtype, label, tracking, evaluation, augmentation, output, extras, schedule, Divergence.DEFAULT);
    }

    /** A spec without a schedule. */
    public RunSpec(Component model, Component data, Component loss, Component optimizer, long steps, Batch batch, long seed,
                   String dtype, String label, List<Component> tracking, Evaluation evaluation, Augmentation augmentation,
                   Output output, List<String> extras) {
        this(model, data, loss, optimizer, steps, batch, seed, dtype, label, tracking, evaluation, augmentation, output, extras, List.of());
    }

    /** The schedule as a function of (step, total steps). */
    public Schedule learningRateSchedule() { return Schedules.build(schedule); }

    private static void check(Component c, String field, Catalog<?> catalog, boolean nullable) {
        if (c == null) {
            if (nullable) return;
            throw new IllegalArgumentException(field + " is missing");
        }
        if (!c.kind().equals(catalog.kind())) throw new IllegalArgumentException(field + " must be a " + catalog.kind() + " spec, not a " + c.kind());
    }

    /** The defaults of a run: an MLP 784-256-256-10 on the embedded Fashion-MNIST, cross-entropy, Adam, 500 full-batch steps. */
    public static RunSpec defaults() {
        return new RunSpec(Catalogs.MODELS.spec("mlp", Map.of("widths", List.of(784, 256, 256, 10))), Catalogs.DATA.spec("fashion-mnist"),
                Catalogs.LOSSES.spec("ce"), Optimizers.CATALOG.spec("adam"), 500, Batch.full(), 0, "float32", null, List.of(),
                Evaluation.every(0), null, new Output(null), List.of());
    }

    public DataType dataType() { return dtype.equals("float64") ? DataType.DOUBLE : DataType.FLOAT; }

    // ---- withers ----------------------------------------------------------------------------------------------------

    public RunSpec withModel(Component m) { return new RunSpec(m, data, loss, optimizer, steps, batch, seed, dtype, label, tracking, evaluation, augmentation, output, extras, schedule, divergence); }

    public RunSpec withData(Component d) { return new RunSpec(model, d, loss, optimizer, steps, batch, seed, dtype, label, tracking, evaluation, augmentation, output, extras, schedule, divergence); }

    public RunSpec withLoss(Component l) { return new RunSpec(model, data, l, optimizer, steps, batch, seed, dtype, label, tracking, evaluation, augmentation, output, extras, schedule, divergence); }

    public RunSpec withOptimizer(Component o) { return new RunSpec(model, data, loss, o, steps, batch, seed, dtype, label, tracking, evaluation, augmentation, output, extras, schedule, divergence); }

    public RunSpec withSteps(long s) { return new RunSpec(model, data, loss, optimizer, s, batch, seed, dtype, label, tracking, evaluation, augmentation, output, extras, schedule, divergence); }

    public RunSpec withBatch(Batch b) { return new RunSpec(model, data, loss, optimizer, steps, b, seed, dtype, label, tracking, evaluation, augmentation, output, extras, schedule, divergence); }

    public RunSpec withSeed(long s) { return new RunSpec(model, data, loss, optimizer, steps, batch, s, dtype, label, tracking, evaluation, augmentation, output, extras, schedule, divergence); }

    public RunSpec withDtype(String t) { return new RunSpec(model, data, loss, optimizer, steps, batch, seed, t, label, tracking, evaluation, augmentation, output, extras, schedule, divergence); }

    public RunSpec withLabel(String l) { return new RunSpec(model, data, loss, optimizer, steps, batch, seed, dtype, l, tracking, evaluation, augmentation, output, extras, schedule, divergence); }

    public RunSpec withTracking(List<Component> t) { return new RunSpec(model, data, loss, optimizer, steps, batch, seed, dtype, label, t, evaluation, augmentation, output, extras, schedule, divergence); }

    public RunSpec withEvaluation(Evaluation e) { return new RunSpec(model, data, loss, optimizer, steps, batch, seed, dtype, label, tracking, e, augmentation, output, extras, schedule, divergence); }

    public RunSpec withAugmentation(Augmentation a) { return new RunSpec(model, data, loss, optimizer, steps, batch, seed, dtype, label, tracking, evaluation, a, output, extras, schedule, divergence); }

    public RunSpec withOutput(Output o) { return new RunSpec(model, data, loss, optimizer, steps, batch, seed, dtype, label, tracking, evaluation, augmentation, o, extras, schedule, divergence); }

    public RunSpec withExtras(List<String> e) { return new RunSpec(model, data, loss, optimizer, steps, batch, seed, dtype, label, tracking, evaluation, augmentation, output, e, schedule, divergence); }

    public RunSpec withDivergence(Divergence d) { return new RunSpec(model, data, loss, optimizer, steps, batch, seed, dtype, label, tracking, evaluation, augmentation, output, extras, schedule, d); }

    public RunSpec withSchedule(List<Component> s) { return new RunSpec(model, data, loss, optimizer, steps, batch, seed, dtype, label, tracking, evaluation, augmentation, output, extras, s, divergence); }

    // ---- running ------------------------------------------------------------------------------------------------------

    /** Wires the run (see {@link Run#start}) without extras. */
    public Run build() { return Run.start(this, Run.Options.DEFAULT); }

    /** Builds and runs it. */
    public TrainingRun run() { return build().run(); }

    /** The spec a run was built from, when it was built from one. */
    public static Optional<RunSpec> of(TrainingRun run) {
        return run.spec().filter(RunSpec.class::isInstance).map(RunSpec.class::cast);
    }

    // ---- JSON -----------------------------------------------------------------------------------------------------------

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    static final List<String> FIELDS = List.of("model", "data", "loss", "optimizer", "steps", "batch", "seed", "dtype", "label",
            "tracking", "evaluation", "augmentation", "output", "extras", "schedule", "divergence");

    @Override public JsonNode toJsonTree() {
        JsonNodeFactory f = JsonNodeFactory.instance;
        ObjectNode o = f.objectNode();
        o.set("model", model == null ? f.nullNode() : Catalogs.MODELS.toJson(model));
        o.set("data", Catalogs.DATA.toJson(data));
        o.set("loss", Catalogs.LOSSES.toJson(loss));
        o.set("optimizer", Optimizers.CATALOG.toJson(optimizer));
        o.put("steps", steps);
        if (batch.isFull()) o.put("batch", "full");
        else o.put("batch", batch.size());
        o.put("seed", seed);
        o.put("dtype", dtype);
        if (label == null) o.putNull("label");
        else o.put("label", label);
        ArrayNode t = o.putArray("tracking");
        for (Component c : tracking) t.add(Catalogs.TRACKERS.toJson(c));
        ObjectNode e = o.putObject("evaluation");
        e.put("every", evaluation.every());
        ArrayNode splits = e.putArray("splits");
        evaluation.splits().forEach(splits::add);
        e.put("at", evaluation.at().name().toLowerCase(java.util.Locale.ROOT));
        e.put("subset", evaluation.subset());
        if (evaluation.periodicSubset() > 0) e.put("periodic_subset", evaluation.periodicSubset());
        else e.put("periodic_subset", evaluation.periodicSubsetText());
        if (augmentation == null) o.putNull("augmentation");
        else o.putObject("augmentation").put("padding", augmentation.padding()).put("flip", augmentation.flip());
        ObjectNode out = o.putObject("output");
        if (output.dir() == null) out.putNull("dir");
        else out.put("dir", output.dir());
        if (!extras.isEmpty()) {
            ArrayNode x = o.putArray("extras");
            extras.forEach(x::add);
        }
        if (!schedule.isEmpty()) o.set("schedule", Schedules.toJson(schedule));
        if (!divergence.isDefault()) {
            ObjectNode d = o.putObject("divergence");
            if (Double.isInfinite(divergence.factor())) d.put("factor", "off");
            else d.put("factor", divergence.factor());
            d.put("patience", divergence.patience()).put("relative_to", divergence.relativeTo());
        }
        return o;
    }

    @Override public String toJson() {
        try {
            return JSON.writeValueAsString(toJsonTree());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Parses a spec; see {@link #fromJson(JsonNode)}. */
    public static RunSpec fromJson(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("run spec is not valid JSON: " + e.getOriginalMessage());
        }
        return fromJson(node);
    }

    /**
     * A spec from JSON: missing fields take {@link #defaults()}; an unknown field, a wrong type or a value out of range
     * is refused with a message naming the field's path, the value and the valid range. A run.json file is accepted too
     * (its {@code config.spec}).
     */
    public static RunSpec fromJson(JsonNode node) {
        if (node != null && node.has("config") && node.get("config").has("spec")) node = node.get("config").get("spec");
        else if (node != null && node.has("config")) {
            throw new IllegalArgumentException("this run.json has no spec (config.spec): the run was built by hand with Trainer.builder(), not from a RunSpec");
        }
        if (node == null || !node.isObject()) throw new IllegalArgumentException("a run spec must be a JSON object with fields " + String.join(", ", FIELDS));
        RunSpec s = defaults();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String k = f.getKey();
            JsonNode v = f.getValue();
            s = switch (k) {
                case "model" -> s.withModel(v.isNull() ? null : Catalogs.MODELS.fromJson(v, "model"));
                case "data" -> s.withData(Catalogs.DATA.fromJson(v, "data"));
                case "loss" -> s.withLoss(Catalogs.LOSSES.fromJson(v, "loss"));
                case "optimizer" -> s.withOptimizer(Optimizers.CATALOG.fromJson(v, "optimizer"));
                case "steps" -> s.withSteps(positiveLong(v, "steps"));
                case "batch" -> {
                    if (v.isTextual() && v.asText().equals("full")) yield s.withBatch(Batch.full());
                    if (v.isIntegralNumber() && v.canConvertToInt() && v.intValue() > 0) yield s.withBatch(Batch.of(v.intValue()));
                    throw new IllegalArgumentException("batch = " + v + " must be a positive integer or \"full\"");
                }
                case "seed" -> {
                    if (!v.isIntegralNumber() || !v.canConvertToLong()) throw new IllegalArgumentException("seed = " + v + " is not an integer");
                    yield s.withSeed(v.longValue());
                }
                case "dtype" -> {
                    if (!v.isTextual() || !DTYPES.contains(v.asText())) throw new IllegalArgumentException("dtype = " + v + " is not one of float32, float64");
                    yield s.withDtype(v.asText());
                }
                case "label" -> {
                    if (!v.isNull() && !v.isTextual()) throw new IllegalArgumentException("label = " + v + " is not text");
                    yield s.withLabel(v.isNull() ? null : v.asText());
                }
                case "tracking" -> {
                    if (!v.isArray()) throw new IllegalArgumentException("tracking = " + v + " is not a list of trackers");
                    List<Component> t = new ArrayList<>();
                    for (int i = 0; i < v.size(); i++) t.add(Catalogs.TRACKERS.fromJson(v.get(i), "tracking[" + i + "]"));
                    yield s.withTracking(t);
                }
                case "evaluation" -> s.withEvaluation(evaluation(v));
                case "augmentation" -> s.withAugmentation(v.isNull() ? null : augmentation(v));
                case "output" -> {
                    if (!v.isObject()) throw new IllegalArgumentException("output = " + v + " is not an object {\"dir\": …}");
                    onlyFields(v, "output", List.of("dir"));
                    JsonNode d = v.get("dir");
                    if (d != null && !d.isNull() && !d.isTextual()) throw new IllegalArgumentException("output.dir = " + d + " is not text");
                    yield s.withOutput(new Output(d == null || d.isNull() ? null : d.asText()));
                }
                case "extras" -> {
                    if (v.isArray() && v.isEmpty()) yield s;
                    throw new IllegalArgumentException("this spec has parts that are not data and cannot be re-run from JSON: " + v
                            + "; rebuild the run in code (its DSL: spec.toDsl())");
                }
                case "schedule" -> s.withSchedule(Schedules.fromJson(v, "schedule"));
                case "divergence" -> s.withDivergence(divergence(v));
                default -> throw new IllegalArgumentException(k + ": unknown field of a run spec; valid fields: " + String.join(", ", FIELDS));
            };
        }
        if (s.model() == null) throw new IllegalArgumentException("model = null: a run spec needs a model from the catalog (./tuneless list models)");
        return s;
    }

    /** Reads a spec, or the spec inside a run.json, from a file. */
    public static RunSpec read(Path file) {
        try {
            return fromJson(Files.readString(file));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read run spec " + file.toAbsolutePath() + ": " + e.getMessage(), e);
        }
    }

    private static long positiveLong(JsonNode v, String field) {
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw new IllegalArgumentException(field + " = " + v + " is not an integer (valid: 1, 2, …)");
        if (v.longValue() <= 0) throw new IllegalArgumentException(field + " = " + v + " must be a positive integer (valid: 1, 2, …)");
        return v.longValue();
    }

    private static void onlyFields(JsonNode v, String path, List<String> valid) {
        for (Iterator<String> it = v.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!valid.contains(k)) throw new IllegalArgumentException(path + "." + k + ": unknown field; valid fields: " + String.join(", ", valid));
        }
    }

    private static Evaluation evaluation(JsonNode v) {
        if (!v.isObject()) throw new IllegalArgumentException("evaluation = " + v + " is not an object {\"every\": k, \"splits\": [...]}");
        onlyFields(v, "evaluation", List.of("every", "splits", "at", "subset", "periodic_subset"));
        long every = 0;
        JsonNode e = v.get("every");
        if (e != null) {
            if (!e.isIntegralNumber() || e.longValue() < 0) throw new IllegalArgumentException("evaluation.every = " + e + " must be an integer ≥ 0 (valid: 0, 1, …)");
            every = e.longValue();
        }
        List<String> splits = List.of("train", "test");
        JsonNode sp = v.get("splits");
        if (sp != null) {
            if (!sp.isArray()) throw new IllegalArgumentException("evaluation.splits = " + sp + " is not a list of split names (train, test)");
            List<String> l = new ArrayList<>();
            for (JsonNode x : sp) {
                if (!x.isTextual()) throw new IllegalArgumentException("evaluation.splits = " + sp + " is not a list of split names (train, test)");
                l.add(x.asText());
            }
            splits = l;
        }
        EvaluationMode at = EvaluationMode.AVERAGE;
        JsonNode a = v.get("at");
        if (a != null) at = evaluationMode(a.isTextual() ? a.asText() : a.toString(), "evaluation.at");
        long subset = 0;
        JsonNode n = v.get("subset");
        if (n != null) {
            if (!n.isIntegralNumber() || n.longValue() < 0) throw new IllegalArgumentException("evaluation.subset = " + n + " must be an integer ≥ 0 (0 = the whole split)");
            subset = n.longValue();
        }
        long periodic = Evaluation.AUTO;
        JsonNode ps = v.get("periodic_subset");
        if (ps != null) {
            if (ps.isIntegralNumber()) periodic = Evaluation.parsePeriodicSubset(Long.toString(ps.longValue()), "evaluation.periodic_subset");
            else if (ps.isTextual()) periodic = Evaluation.parsePeriodicSubset(ps.asText(), "evaluation.periodic_subset");
            else throw new IllegalArgumentException("evaluation.periodic_subset = " + ps + " must be \"auto\", \"all\" or a number of examples ≥ 1");
        }
        return new Evaluation(every, splits, at, subset, periodic);
    }

    /** Parses "average" or "live" (any case); {@code where} names the field in the error. */
    public static EvaluationMode evaluationMode(String text, String where) {
        for (EvaluationMode m : EvaluationMode.values()) {
            if (m.name().equalsIgnoreCase(text)) return m;
        }
        throw new IllegalArgumentException(where + " = " + text + " is not an evaluation point; valid: average (the optimizer's "
                + "evaluation point when it offers one, e.g. Schedule-Free's x or an iterate average), live (the parameters gradients are taken at)");
    }

    private static Divergence divergence(JsonNode v) {
        if (v.isNull()) return Divergence.DEFAULT;
        if (!v.isObject()) throw new IllegalArgumentException("divergence = " + v + " is not an object {\"factor\": 10, \"patience\": 20, \"relative_to\": \"first\"|\"best\"}");
        onlyFields(v, "divergence", List.of("factor", "patience", "relative_to"));
        Divergence d = Divergence.DEFAULT;
        double factor = d.factor();
        JsonNode f = v.get("factor");
        if (f != null) {
            if (f.isTextual() && f.asText().equals("off")) factor = Double.POSITIVE_INFINITY;
            else if (f.isNumber()) factor = f.doubleValue();
            else throw new IllegalArgumentException("divergence.factor = " + f + " must be a number > 1 or \"off\"");
        }
        JsonNode p = v.get("patience");
        if (p != null && !(p.isIntegralNumber() && p.canConvertToInt())) throw new IllegalArgumentException("divergence.patience = " + p + " must be an integer ≥ 1");
        JsonNode r = v.get("relative_to");
        if (r != null && !r.isTextual()) throw new IllegalArgumentException("divergence.relative_to = " + r + " must be \"first\" or \"best\"");
        return new Divergence(factor, p == null ? d.patience() : p.intValue(), r == null ? d.relativeTo() : r.asText());
    }

    private static Augmentation augmentation(JsonNode v) {
        if (!v.isObject()) throw new IllegalArgumentException("augmentation = " + v + " is not an object {\"padding\": p, \"flip\": true}");
        onlyFields(v, "augmentation", List.of("padding", "flip"));
        JsonNode p = v.get("padding");
        JsonNode f = v.get("flip");
        if (p != null && (!p.isIntegralNumber() || p.intValue() < 0)) throw new IllegalArgumentException("augmentation.padding = " + p + " must be an integer ≥ 0");
        if (f != null && !f.isBoolean()) throw new IllegalArgumentException("augmentation.flip = " + f + " is not true/false");
        return new Augmentation(p == null ? 2 : p.intValue(), f == null || f.booleanValue());
    }

    // ---- DSL ------------------------------------------------------------------------------------------------------------

    /** The Kotlin DSL code that builds this spec: {@code train { model = mlp(784, 32, 10); optimizer = cdat(base = adam(lr = 0.003), scale = 1.5); … }}. */
    @Override public String toDsl() {
        StringBuilder sb = new StringBuilder("train {\n");
        if (!extras.isEmpty()) sb.append("    // not data, not printed: ").append(String.join("; ", extras)).append('\n');
        if (model != null) line(sb, "model = " + Catalogs.MODELS.toDsl(model));
        line(sb, "data = " + Catalogs.DATA.toDsl(data));
        if (!loss.name().equals("ce")) line(sb, "loss = " + Catalogs.LOSSES.toDsl(loss));
        line(sb, "optimizer = " + Optimizers.CATALOG.toDsl(optimizer));
        if (!schedule.isEmpty()) line(sb, "schedule = " + Schedules.toDsl(schedule));
        line(sb, "steps = " + steps);
        line(sb, batch.isFull() ? "batchSize = FullBatch" : "batchSize(" + batch.size() + ")");
        line(sb, "seed = " + seed);
        if (dtype.equals("float64")) line(sb, "precision = Precision.Float64");
        if (label != null) line(sb, "label = \"" + label.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$") + "\"");
        if (augmentation != null) line(sb, "augment = cropAndFlip(padding = " + augmentation.padding() + ", flip = " + augmentation.flip() + ")");
        if (evaluation.every() > 0 || evaluation.subset() > 0 || evaluation.periodicSubset() != Evaluation.AUTO) {
            String ps = evaluation.periodicSubset() == Evaluation.AUTO ? ""
                    : ", periodicSubset = " + (evaluation.periodicSubset() == Evaluation.ALL ? "PeriodicSubset.All" : "PeriodicSubset.of(" + evaluation.periodicSubset() + ")");
            line(sb, "evaluate(every = " + evaluation.every() + (evaluation.subset() > 0 ? ", subset = " + evaluation.subset() : "") + ps + ")");
        }
        if (evaluation.at() == EvaluationMode.LIVE) line(sb, "evaluateAt = EvaluateAt.Live");
        if (!divergence.isDefault()) {
            line(sb, "divergence(factor = " + (Double.isInfinite(divergence.factor()) ? "Double.POSITIVE_INFINITY" : Double.toString(divergence.factor()))
                    + ", patience = " + divergence.patience() + (divergence.relativeTo().equals("best") ? ", relativeTo = DivergenceReference.Best" : "") + ")");
        }
        if (!tracking.isEmpty()) {
            line(sb, "track {");
            for (Component t : tracking) line(sb, "    " + Catalogs.TRACKERS.toDsl(t));
            line(sb, "}");
        }
        return sb.append("}\n").toString();
    }

    private static void line(StringBuilder sb, String s) {
        sb.append("    ").append(s).append('\n');
    }

    @Override public String toString() { return toJson(); }
}

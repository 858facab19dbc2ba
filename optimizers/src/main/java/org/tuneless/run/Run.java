package org.tuneless.run;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.tuneless.objective.Batch;
import org.tuneless.catalog.Component;
import org.tuneless.data.BatchStream;
import org.tuneless.data.Dataset;
import org.tuneless.data.ImageAugmentation;
import org.tuneless.data.MinibatchStream;
import org.tuneless.data.TrainTestSplit;
import org.tuneless.nn.Network;
import org.tuneless.optim.Optimizer;
import org.tuneless.optim.Scheduled;
import org.tuneless.train.Trainer;
import org.tuneless.train.TrainerPlugin;
import org.tuneless.train.TrainingRun;

/**
 * A wired run: the one place that turns a {@link RunSpec} into a {@link Trainer} — data loading, shapes and classes
 * from the data, precision casts, the batch stream (with augmentation), evaluation sets, trackers and seeds.
 */
public record Run(RunSpec spec, Trainer trainer, Network network, LoadedData data, Optimizer optimizer) {

    /** A model that is not in the catalog (built in code); it makes the spec non-reproducible from JSON. */
    @FunctionalInterface
    public interface CustomModel {
        Network build(DataType type, long seed, TrainTestSplit data);
    }

    /**
     * What a run needs beyond its spec: a custom model and plug-ins (code, not data: listed in the spec's extras), and
     * whether to show a progress bar; {@code observers} only watch (a notebook's live display) and are not extras.
     */
    public record Options(CustomModel model, String modelDescription, List<TrainerPlugin> plugins, boolean progress, List<TrainerPlugin> observers,
                          Persistence persistence) {
        public static final Options DEFAULT = new Options(null, null, List.of(), false, List.of());

        public Options {
            plugins = List.copyOf(plugins);
            observers = List.copyOf(observers);
        }

        public Options(CustomModel model, String modelDescription, List<TrainerPlugin> plugins, boolean progress, List<TrainerPlugin> observers) {
            this(model, modelDescription, plugins, progress, observers, null);
        }

        public Options withProgress(boolean show) { return new Options(model, modelDescription, plugins, show, observers, persistence); }

        public Options withPersistence(Persistence p) { return new Options(model, modelDescription, plugins, progress, observers, p); }

        /** Descriptions of the parts of a run that are code, not data. */
        public List<String> extras() {
            List<String> e = new ArrayList<>();
            if (model != null) e.add("custom model " + (modelDescription == null ? "(code)" : modelDescription));
            if (!plugins.isEmpty()) e.add("plug-ins " + plugins.stream().map(p -> p.getClass().getName()).collect(Collectors.joining(", ")));
            return e;
        }
    }

    /** Run-config keys of what the model factory was given (read back by {@link ModelFiles} and checkpoints). */
    public static final String INPUT_SHAPE = "model_input_shape", CLASSES = "model_classes", TEXT = "model_text";

    /**
     * What survives the process: {@code out} streams the run files there while training (null = none); {@code checkpoints}
     * (null = none); {@code resume} continues a checkpoint (its spec must match, see {@link Resume}); {@code interrupted}
     * is polled after each step (a signal handler's flag).
     */
    public record Persistence(java.nio.file.Path out, Trainer.CheckpointPolicy checkpoints, org.tuneless.train.Checkpoint resume,
                              java.util.function.BooleanSupplier interrupted) {}

    public static Run start(RunSpec spec, Options options) {
        List<String> extras = options.extras();
        if (!extras.equals(spec.extras())) spec = spec.withExtras(extras);
        if (spec.model() == null && options.model() == null) throw new IllegalArgumentException("the run has no model");
        LoadedData d = Catalogs.load(spec.data());
        DataType type = spec.dataType();
        Dataset train = d.split().train().castTo(type);
        Network net = options.model() != null ? options.model().build(type, spec.seed(), d.split())
                : Catalogs.MODELS.create(spec.model()).build(train.inputShape(), d.classes(), d.text()).build(type, spec.seed());
        Optimizer opt = Catalogs.optimizer(spec.optimizer());
        if (!spec.schedule().isEmpty()) opt = new Scheduled(opt, spec.learningRateSchedule(), spec.steps());
        if (!spec.batch().isFull() && spec.batch().size() > train.size()) {
            throw new IllegalArgumentException("batch = " + spec.batch().size() + " exceeds the " + train.size() + " training examples of "
                    + d.source() + "; use a batch of at most " + train.size() + " or the full batch (--batch full, DSL batchSize = FullBatch)");
        }
        BatchStream stream = spec.batch().isFull() ? BatchStream.fixed(train.fullBatch()) : new MinibatchStream(train, spec.batch().size(), spec.seed());
        if (spec.augmentation() != null) stream = augment(stream, train.inputShape(), spec.augmentation(), spec.seed());
        Trainer.Builder b = Trainer.builder().network(net).loss(Catalogs.LOSSES.create(spec.loss())).data(stream)
                .optimizer(opt).steps(spec.steps()).evaluateEvery(spec.evaluation().every()).evaluateAt(spec.evaluation().at()).seed(spec.seed()).progress(options.progress());
        b.divergence(spec.divergence().factor(), spec.divergence().patience(), spec.divergence().relativeTo().equals("best"));
        RunSpec.Evaluation ev = spec.evaluation();
        long trainedPerStep = spec.batch().isFull() ? train.size() : spec.batch().size();
        for (String split : ev.splits()) {
            Batch all = split.equals("train") ? train.fullBatch() : d.split().test().castTo(type).fullBatch();
            long fin = ev.finalExamples(all.size()), periodic = ev.periodicExamples(all.size(), trainedPerStep);
            Batch finalSet = fin < all.size() ? firstRows(all, fin) : all;
            b.evaluateOn(split, finalSet, periodic < fin ? firstRows(all, periodic) : finalSet);
            b.config("evaluation_" + split + "_examples", fin + " of " + all.size());
            if (ev.every() > 0) b.config("evaluation_" + split + "_examples_during_training", periodic + " of " + all.size());
        }
        if (spec.label() != null) b.label(spec.label());
        b.config("model", spec.model() == null ? extras.get(0) : modelText(spec.model()))
                .config("data", d.source()).config("batch", spec.batch().toString()).config("spec", spec)
                .config(INPUT_SHAPE, java.util.Arrays.stream(train.inputShape()).boxed().toList()).config(CLASSES, d.classes()).config(TEXT, d.text());
        for (Component t : spec.tracking()) b.install(Catalogs.TRACKERS.create(t).apply(train));
        options.plugins().forEach(b::install);
        options.observers().forEach(b::install);
        Persistence p = options.persistence();
        if (p != null) {
            if (p.out() != null) b.outputTo(p.out());
            if (p.checkpoints() != null) b.checkpoints(p.checkpoints());
            if (p.resume() != null) b.resume(p.resume());
            if (p.interrupted() != null) b.interruptWhen(p.interrupted());
        }
        return new Run(spec, b.build(), net, d, opt);
    }

    public TrainingRun run() { return trainer.run(); }

    /**
     * The examples each evaluation uses, when any evaluation uses a subset of its split, e.g.
     * {@code ", evaluated on the first 1600 of 10000 test examples during training, all of them at the end"}; else "".
     */
    public String evaluationNote() {
        RunSpec.Evaluation ev = spec.evaluation();
        long perStep = spec.batch().isFull() ? data.split().train().size() : spec.batch().size();
        List<String> parts = new java.util.ArrayList<>();
        for (String split : ev.splits()) {
            long n = split.equals("train") ? data.split().train().size() : data.split().test().size();
            long fin = ev.finalExamples(n), periodic = ev.periodicExamples(n, perStep);
            if (fin == n && (periodic == n || ev.every() == 0)) continue;
            String atEnd = fin == n ? "all of them" : "the first " + fin;
            parts.add(ev.every() == 0 || periodic == fin
                    ? "the first " + fin + " of " + n + " " + split + " examples"
                    : "the first " + periodic + " of " + n + " " + split + " examples during training, " + atEnd + " at the end");
        }
        return parts.isEmpty() ? "" : ", evaluated on " + String.join("; ", parts);
    }

    /** The command-line form of a model spec, e.g. {@code mlp:784-256-10}, {@code resnet34:none}. */
    static String modelText(Component m) {
        if (m.name().equals("mlp")) {
            @SuppressWarnings("unchecked") List<Integer> w = (List<Integer>) m.get("widths");
            String s = "mlp:" + w.stream().map(String::valueOf).collect(Collectors.joining("-"));
            return m.get("activation").equals("relu") ? s : s + ":" + m.get("activation");
        }
        if (m.get("norm") != null && !m.get("norm").equals("batch")) return m.name() + ":" + m.get("norm");
        return m.name();
    }

    /** The first {@code n} examples of {@code batch} (a fixed evaluation subset). */
    static Batch firstRows(Batch batch, long n) {
        return new Batch(batch.inputs().get(NDArrayIndex.interval(0, n)).dup(), batch.targets().get(NDArrayIndex.interval(0, n)).dup());
    }

    private static BatchStream augment(BatchStream s, long[] shape, RunSpec.Augmentation a, long seed) {
        long[] chw;
        if (shape.length == 3) chw = shape;
        else if (shape.length == 1) {
            long r = Math.round(Math.sqrt(shape[0]));
            if (r * r != shape[0]) throw new IllegalArgumentException("augment: inputs of " + shape[0] + " values are not square images");
            chw = new long[]{1, r, r};
        } else throw new IllegalArgumentException("augment needs image data (channels, height, width), got " + java.util.Arrays.toString(shape));
        return new ImageAugmentation((int) chw[0], (int) chw[1], (int) chw[2], a.padding(), a.flip(), seed).wrap(s);
    }
}

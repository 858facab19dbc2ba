package org.tuneless.run;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.tuneless.catalog.Catalog;
import org.tuneless.catalog.Component;
import org.tuneless.catalog.Entry;
import org.tuneless.catalog.Param;
import org.tuneless.catalog.Range;
import org.tuneless.data.CharTextDataset;
import org.tuneless.data.CsvRegression;
import org.tuneless.data.Dataset;
import org.tuneless.data.FashionMnist;
import org.tuneless.data.TeacherStudent;
import org.tuneless.data.TrainTestSplit;
import org.tuneless.nn.Init;
import org.tuneless.nn.Loss;
import org.tuneless.nn.Models;
import org.tuneless.nn.SoftmaxCrossEntropy;
import org.tuneless.nn.SquaredLoss;
import org.tuneless.optim.Optimizer;
import org.tuneless.optim.Optimizers;
import org.tuneless.train.CurvatureTracker;

/**
 * The catalogs of a run besides the optimizers ({@link Optimizers#CATALOG}): models, data, losses and curvature
 * trackers. Each entry's defaults are written here once; the CLI, JSON specs and the Kotlin DSL build from them.
 */
public final class Catalogs {

    private Catalogs() {}

    public static final Catalog<ModelFactory> MODELS = new Catalog<>("model");
    public static final Catalog<LoadedData> DATA = new Catalog<>("data");
    public static final Catalog<Loss> LOSSES = new Catalog<>("loss");
    /** A tracker entry builds one {@link CurvatureTracker} (with its own schedule) given the training set. */
    public static final Catalog<java.util.function.Function<Dataset, CurvatureTracker>> TRACKERS = new Catalog<>("tracker");

    /** The catalogs by the name {@code ./tuneless list} takes. */
    public static Map<String, Catalog<?>> all() {
        Map<String, Catalog<?>> m = new java.util.LinkedHashMap<>();
        m.put("optimizers", Optimizers.CATALOG);
        m.put("models", MODELS);
        m.put("data", DATA);
        m.put("losses", LOSSES);
        m.put("trackers", TRACKERS);
        m.put("schedules", org.tuneless.optim.schedule.Schedules.CATALOG);
        return m;
    }

    private static final List<String> NORMS = List.of("batch", "layer", "none");

    static {
        MODELS.register(Entry.<ModelFactory>of("mlp", "multilayer perceptron widths[0] → … → widths[last]",
                        a -> (input, classes, text) -> Models.mlpBuilder(Models.Activation.valueOf(a.text("activation").toUpperCase(Locale.ROOT)),
                                a.bool("bias"), Init.valueOf(a.text("init").toUpperCase(Locale.ROOT)), a.ints("widths").stream().mapToLong(Integer::longValue).toArray()),
                        Param.ints("widths", null, Range.POSITIVE_INT, "layer widths, input first, e.g. 784-256-10").asPositional(),
                        Param.choice("activation", "relu", List.of("relu", "tanh", "gelu"), "hidden-layer nonlinearity").dslEnum("Activation"),
                        Param.bool("bias", true, "biases in the dense layers"),
                        Param.choice("init", "he", List.of("he", "glorot", "orthogonal", "zeros", "ones"), "weight initialization").dslEnum("Init#upper")));
        MODELS.register(Entry.<ModelFactory>of("cnn", "two conv3×3 + max-pool stages, dense 128, classifier",
                a -> (input, classes, text) -> Models.cnn(image("cnn", input, text), classes)));
        MODELS.register(Entry.<ModelFactory>of("resnet18", "CIFAR-style ResNet-18 (3×3 stem)",
                a -> (input, classes, text) -> Models.resnet18(image("resnet18", input, text), classes, norm(a.text("norm"))),
                Param.choice("norm", "batch", NORMS, "normalization").dslEnum("Norm")));
        MODELS.register(Entry.<ModelFactory>of("resnet34", "CIFAR-style ResNet-34; norm none = the CDAT paper's BN-free variant",
                a -> (input, classes, text) -> Models.resnet34(image("resnet34", input, text), classes, norm(a.text("norm"))),
                Param.choice("norm", "batch", NORMS, "normalization").dslEnum("Norm")));
        MODELS.register(Entry.<ModelFactory>of("mixer", "MLP-Mixer on p×p patches",
                a -> (input, classes, text) -> Models.mlpMixer(Models.Size.valueOf(a.text("size").toUpperCase(Locale.ROOT)), a.integer("patch"), image("mixer", input, text), classes),
                Param.choice("size", "tiny", List.of("tiny", "small"), "model size").dslEnum("MixerSize"),
                Param.integer("patch", 4, Range.POSITIVE_INT, "patch side p")).dsl("mlpMixer"));
        MODELS.register(Entry.<ModelFactory>of("vit", "Vision Transformer on p×p patches (defaults: ViT-Tiny)",
                a -> (input, classes, text) -> Models.vit(a.integer("patch"), a.integer("dim"), a.integer("depth"), a.integer("heads"), image("vit", input, text), classes),
                Param.integer("patch", 7, Range.POSITIVE_INT, "patch side p"), Param.integer("dim", 192, Range.POSITIVE_INT, "embedding width"),
                Param.integer("depth", 12, Range.POSITIVE_INT, "transformer blocks"), Param.integer("heads", 3, Range.POSITIVE_INT, "attention heads")));
        MODELS.register(Entry.<ModelFactory>of("nanolm", "character-level GPT; context and vocabulary from the text data",
                a -> (input, classes, text) -> {
                    if (!text) throw new IllegalArgumentException("nanolm is a language model: use text data (e.g. --data text, data = fortunes()) not images");
                    return Models.nanoLM(a.integer("layers"), a.integer("dim"), a.integer("heads"), (int) input[0], classes);
                },
                Param.integer("layers", 2, Range.POSITIVE_INT, "transformer blocks"), Param.integer("dim", 128, Range.POSITIVE_INT, "embedding width"),
                Param.integer("heads", 4, Range.POSITIVE_INT, "attention heads")).dsl("nanoLM"));
        MODELS.register(Entry.<ModelFactory>of("lstm", "LSTM: sequence classifier over image rows, or on text a character language model",
                a -> (input, classes, text) -> {
                    if (text) return Models.lstmLM((int) input[0], classes, a.integer("embedding"), a.integer("hidden"));
                    long[] im = input.length == 1 ? squareImage(input[0]) : input;
                    return Models.lstm(im.length == 3 ? new long[]{im[1], im[2] * im[0]} : im, a.integer("hidden"), classes);
                },
                Param.integer("hidden", 128, Range.POSITIVE_INT, "hidden units"), Param.integer("embedding", 64, Range.POSITIVE_INT, "character embedding (text)")));

        LOSSES.register(Entry.<Loss>of("ce", "softmax cross-entropy", a -> new SoftmaxCrossEntropy()).aliases("cross-entropy", "crossentropy").dsl("crossEntropy"));
        LOSSES.register(Entry.<Loss>of("mse", "½‖output − target‖² summed over outputs, averaged over the batch (one-hot targets for classes)",
                a -> new SquaredLoss()).aliases("squared", "square").dsl("squaredLoss"));

        Param subset = Param.optionalInteger("subset", Range.POSITIVE_INT, "keep the first N training examples (the test set stays whole)");
        DATA.register(Entry.<LoadedData>of("fashion-mnist", "Fashion-MNIST: embedded 4,096/1,024 subset, the Debian package, or auto (Debian when installed)",
                a -> {
                    String source = a.text("source");
                    boolean debian = source.equals("debian") || source.equals("auto") && FashionMnist.debianAvailable();
                    // only the training examples kept are read from the Debian files
                    TrainTestSplit s = debian ? FashionMnist.debian(a.has("subset") ? a.integer("subset") : null) : FashionMnist.embedded();
                    String from = debian ? "fashion-mnist (Debian, full)" : "fashion-mnist (embedded subset"
                            + (source.equals("auto") ? "; apt-get install dataset-fashion-mnist for the full set)" : ")");
                    return images(subset(s, a.has("subset") ? a.integer("subset") : null), from);
                },
                subset, Param.choice("source", "embedded", List.of("embedded", "debian", "auto"), "which files").dslEnum("FashionMnistSource")));
        DATA.register(Entry.<LoadedData>of("idx", "MNIST-format (IDX) files from a directory",
                a -> images(subset(FashionMnist.load(Path.of(a.text("directory")), a.has("subset") ? a.integer("subset") : null), a.has("subset") ? a.integer("subset") : null),
                        "idx:" + Path.of(a.text("directory")).toAbsolutePath()),
                Param.text("directory", null, "directory with train-/t10k- images and labels"), subset));
        Param context = Param.integer("context", 64, Range.POSITIVE_INT, "characters per block");
        Param maxBlocks = Param.integer("maxBlocks", 4096, Range.POSITIVE_INT, "at most this many training blocks");
        Param testFraction = Param.number("testFraction", 0.1, Range.OPEN_UNIT, "held-out fraction at the end of the text");
        DATA.register(Entry.<LoadedData>of("text", "character-level text: the Debian fortunes, the embedded sample, or auto",
                a -> text(switch (a.text("source")) {
                    case "fortunes" -> CharTextDataset.fortunes();
                    case "embedded" -> CharTextDataset.embeddedSample();
                    default -> CharTextDataset.fortunesOrEmbedded();
                }, a.integer("context"), a.integer("maxBlocks"), a.number("testFraction")),
                context, maxBlocks, testFraction,
                Param.choice("source", "auto", List.of("fortunes", "embedded", "auto"), "which text").dslEnum("TextSource")).aliases("fortunes").dsl("fortunes"));
        DATA.register(Entry.<LoadedData>of("textfile", "character-level text from any UTF-8 file",
                a -> text(CharTextDataset.fromFile(Path.of(a.text("path"))), a.integer("context"), a.integer("maxBlocks"), a.number("testFraction")),
                Param.text("path", null, "the text file").asPositional(), context, maxBlocks, testFraction).dsl("textFile"));
        DATA.register(Entry.<LoadedData>of("teacher-student", "synthetic regression from a random teacher MLP; a quarter as many test examples",
                a -> {
                    int n = a.integer("samples");
                    int test = n / 4 + 1;
                    Dataset all = TeacherStudent.generate(n + test, a.integer("inputDim"), a.integer("hidden"), a.integer("outputDim"), a.number("noise"), a.integer("seed"));
                    TrainTestSplit s = new TrainTestSplit(all.slice(0, n), all.slice(n, n + test));
                    return new LoadedData(s, false, "teacher-student", "teacher-student: " + n + " train / " + test + " test examples");
                },
                Param.integer("samples", 1024, Range.POSITIVE_INT, "training examples"), Param.integer("inputDim", 16, Range.POSITIVE_INT, "input width"),
                Param.integer("hidden", 32, Range.POSITIVE_INT, "teacher hidden width"), Param.integer("outputDim", 1, Range.POSITIVE_INT, "output width"),
                Param.number("noise", 0, Range.NON_NEGATIVE, "target noise standard deviation"), Param.integer("seed", 0, Range.NON_NEGATIVE_INT, "teacher seed")));
        DATA.register(Entry.<LoadedData>of("csv", "tabular regression from a CSV file with a header (features standardized with training statistics)",
                a -> {
                    CsvRegression csv = CsvRegression.from(Path.of(a.text("path"))).testFraction(a.number("testFraction")).seed(a.integer("seed"))
                            .standardizeTarget(a.bool("standardizeTarget"));
                    if (!a.text("target").isEmpty()) csv = csv.target(a.text("target"));
                    TrainTestSplit s = csv.load().split();
                    return new LoadedData(s, false, "csv:" + a.text("path"), "csv " + a.text("path") + ": " + s.train().size() + " train / " + s.test().size() + " test rows");
                },
                Param.text("path", null, "the CSV file").asPositional(), Param.text("target", "", "target column (empty = the last)"),
                Param.number("testFraction", 0.2, Range.OPEN_UNIT, "held-out fraction"), Param.integer("seed", 0, Range.NON_NEGATIVE_INT, "split seed"),
                Param.bool("standardizeTarget", false, "standardize the target too")).dsl("csvRegression"));

        for (CurvatureTracker.Quantity q : CurvatureTracker.Quantity.values()) {
            String name = q.name().toLowerCase(Locale.ROOT).replace('_', '-');
            List<Param> params = new java.util.ArrayList<>(List.of(
                    Param.integer("every", 20, Range.NON_NEGATIVE_INT, "measure every k steps (0 = only at the listed steps)"),
                    Param.ints("at", List.of(), Range.NON_NEGATIVE_INT, "also measure at these steps"),
                    Param.integer("maxIterations", 1000, Range.POSITIVE_INT, "power-iteration / Lanczos iterations"),
                    Param.number("tolerance", 1e-3, Range.POSITIVE, "relative convergence tolerance"),
                    Param.optionalInteger("subset", Range.POSITIVE_INT, "measure on the first N training examples (default the current batch)"),
                    Param.bool("fitMemory", false, "measure on as many of those examples as an exact HVP fits in memory (--curvature-batch auto; Network.memoryPlan)")));
            if (q == CurvatureTracker.Quantity.ELR) params.add(Param.names("tensors", "parameter tensors (default all weight matrices)").asPositional());
            TRACKERS.register(new Entry<java.util.function.Function<Dataset, CurvatureTracker>>(name,
                    q == CurvatureTracker.Quantity.UPDATE_CURVATURE ? List.of("uhu") : List.of(), "tracks " + name, params, Param.camel(name),
                    a -> train -> {
                        if (a.integer("every") == 0 && a.ints("at").isEmpty()) {
                            throw new IllegalArgumentException(name + ": every = 0 and no steps in at: it would measure nothing; give every=K "
                                    + "(K ≥ 1) or the steps to measure at, e.g. " + name + ":every=0,at=10;50");
                        }
                        CurvatureTracker.Builder b = CurvatureTracker.builder().every(a.integer("every")).maxIterations(a.integer("maxIterations")).tolerance(a.number("tolerance"));
                        if (q == CurvatureTracker.Quantity.ELR) b.elr(a.names("tensors").toArray(String[]::new));
                        else b.measure(q);
                        for (int s : a.ints("at")) b.atSteps(s);
                        if (a.has("subset")) b.on(train.subset(a.integer("subset")).fullBatch());
                        if (a.bool("fitMemory")) b.fitMemory();
                        return b.build();
                    }));
        }
    }

    // ---- data loading: cached per spec, so sweeps share one copy ---------------------------------------------------

    private static final Map<Component, LoadedData> LOADED = new ConcurrentHashMap<>();

    /** Loads (once per spec) the data of {@code spec}. */
    public static LoadedData load(Component spec) {
        LoadedData d = LOADED.get(spec);
        if (d != null) return d;
        d = DATA.create(spec);
        LoadedData prev = LOADED.putIfAbsent(spec, d);
        return prev != null ? prev : d;
    }

    public static Optimizer optimizer(Component spec) { return Optimizers.create(spec); }

    private static TrainTestSplit subset(TrainTestSplit s, Integer n) {
        return n == null ? s : new TrainTestSplit(s.train().subset(n), s.test());
    }

    private static LoadedData images(TrainTestSplit s, String source) {
        return new LoadedData(s, false, source, source + ": " + s.train().size() + " train / " + s.test().size() + " test examples");
    }

    private static LoadedData text(CharTextDataset corpus, int context, int blocks, double testFraction) {
        TrainTestSplit s = corpus.trainTest(context, blocks, testFraction);
        return new LoadedData(s, true, corpus.source(), corpus.source() + " (" + corpus.length() + " characters, vocabulary " + corpus.vocabularySize() + "): "
                + s.train().size() + " train / " + s.test().size() + " test blocks of " + context);
    }

    // ---- shapes: images as (channels, height, width) -----------------------------------------------------------

    static long[] image(String model, long[] input, boolean text) {
        if (text) throw new IllegalArgumentException(model + " is an image model: use image data (e.g. --data fashion-mnist), or nanolm / lstm for text");
        return input.length == 1 ? squareImage(input[0]) : input;
    }

    private static long[] squareImage(long n) {
        long r = Math.round(Math.sqrt(n));
        if (r * r != n) throw new IllegalArgumentException("cannot view inputs of " + n + " values as a square image; give (channels, height, width)");
        return new long[]{1, r, r};
    }

    private static Models.Norm norm(String name) {
        return Models.Norm.valueOf(name.toUpperCase(Locale.ROOT));
    }
}

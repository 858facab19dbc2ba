package org.tuneless.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

import org.nd4j.linalg.api.buffer.DataType;
import org.tuneless.data.Dataset;
import org.tuneless.data.MinibatchStream;
import org.tuneless.nn.Loss;
import org.tuneless.nn.Models;
import org.tuneless.nn.Network;
import org.tuneless.optim.Optimizer;
import org.tuneless.optim.Optimizers;
import org.tuneless.data.BatchStream;
import org.tuneless.train.Trainer;
import org.tuneless.train.TrainingRun;

import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code tuneless train}: one training run, written to --out as metrics.csv, metrics.jsonl, evaluations.csv and run.json. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train one model and write its history (metrics.csv, metrics.jsonl, evaluations.csv, run.json) to --out.")
final class TrainCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--model", defaultValue = "mlp:784-256-256-10", paramLabel = "SPEC",
            description = "Model: mlp:IN-H1-...-OUT[:relu|tanh|gelu], cnn, resnet18[:batch|layer|none], resnet34[:…], mixer, vit, nanolm (text), "
                    + "lstm (image rows, or a character LSTM on text) (default ${DEFAULT-VALUE}; shapes and classes follow --data).")
    String model;

    @Option(names = "--data", defaultValue = "fashion-mnist", paramLabel = "SPEC",
            description = "Data: " + DataSpec.VALID + " (default ${DEFAULT-VALUE}: the Debian files if installed, else the embedded 4,096/1,024 subset).")
    String data;

    @Option(names = "--optimizer", defaultValue = "adam", paramLabel = "NAME", description = "Optimizer (default ${DEFAULT-VALUE}); one of ${COMPLETION-CANDIDATES}.",
            completionCandidates = OptimizerNames.class)
    String optimizer;

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

    @Option(names = "--out", paramLabel = "DIR", description = "Output directory (default runs/<optimizer>).")
    Path out;

    @Option(names = "--plot", paramLabel = "FILE", description = "Also save the run's charts (loss, lr, sharpness, η·λ, gradient norm) as FILE.svg or FILE.png.")
    Path plot;

    @Option(names = "--quiet", description = "No progress bar.")
    boolean quiet;

    @Option(names = "--track", paramLabel = "WHAT[:k=v,...]",
            description = "Measure curvature during training, e.g. sharpness:every=20 (repeatable). WHAT: " + TrackSpec.VALID
                    + ". Options: every=K, at=S1;S2, iters=N, tol=X, subset=N (first N training examples; default the current batch).")
    java.util.List<String> track = new java.util.ArrayList<>();

    @ArgGroup(exclusive = false, heading = "%nOptimizer hyperparameters (only those the optimizer takes are accepted):%n")
    OptimizerOptions hyper = new OptimizerOptions();

    static final class OptimizerOptions {
        @Option(names = "--lr", paramLabel = "X", description = "Learning rate (base optimizers; initial lr for hypergradient).") String lr;
        @Option(names = "--momentum", paramLabel = "X") String momentum;
        @Option(names = "--weight-decay", paramLabel = "X") String weightDecay;
        @Option(names = "--beta1", paramLabel = "X") String beta1;
        @Option(names = "--beta2", paramLabel = "X") String beta2;
        @Option(names = "--eps", paramLabel = "X") String eps;
        @Option(names = "--alpha", paramLabel = "X", description = "RMSProp smoothing constant.") String alpha;
        @Option(names = "--eta", paramLabel = "X", description = "ECCO-DNN LTE tolerance η.") String eta;
        @Option(names = "--alpha0", paramLabel = "X", description = "ECCO-DNN initial step.") String alpha0;
        @Option(names = "--gain", paramLabel = "X", description = "AGD gain.") String gain;
        @Option(names = "--base", paramLabel = "NAME", description = "Base direction for a step-size tuner (gd, momentum, nesterov, rmsprop, adam).") String base;
        @Option(names = "--scale", paramLabel = "σ", description = "CDAT / sharpness-rule scale σ.") String scale;
        @Option(names = "--ema", paramLabel = "β", description = "CDAT EMA of numerator and denominator.") String ema;
        @Option(names = "--every", paramLabel = "K", description = "CDAT: refresh the curvature every K steps.") String every;
        @Option(names = "--c", paramLabel = "X", description = "Armijo constant c.") String c;
        @Option(names = "--c-plus", paramLabel = "X") String cPlus;
        @Option(names = "--c-minus", paramLabel = "X") String cMinus;
        @Option(names = "--delta", paramLabel = "X") String delta;
        @Option(names = "--max-trials", paramLabel = "N") String maxTrials;
        @Option(names = "--f-star", paramLabel = "X", description = "Polyak: optimal value f*.") String fStar;
        @Option(names = "--lr-max", paramLabel = "X", description = "Polyak: largest step.") String lrMax;
        @Option(names = "--beta", paramLabel = "X", description = "Hypergradient rate β.") String beta;

        Map<String, String> asMap() {
            Map<String, String> m = new LinkedHashMap<>();
            put(m, "lr", lr); put(m, "momentum", momentum); put(m, "weight-decay", weightDecay);
            put(m, "beta1", beta1); put(m, "beta2", beta2); put(m, "eps", eps); put(m, "alpha", alpha);
            put(m, "eta", eta); put(m, "alpha0", alpha0); put(m, "gain", gain); put(m, "base", base);
            put(m, "scale", scale); put(m, "ema", ema); put(m, "every", every); put(m, "c", c);
            put(m, "c-plus", cPlus); put(m, "c-minus", cMinus); put(m, "delta", delta); put(m, "max-trials", maxTrials);
            put(m, "f-star", fStar); put(m, "lr-max", lrMax); put(m, "beta", beta);
            return m;
        }

        private static void put(Map<String, String> m, String k, String v) {
            if (v != null) m.put(k, v);
        }
    }

    static final class OptimizerNames implements Iterable<String> {
        @Override public java.util.Iterator<String> iterator() { return Optimizers.names().iterator(); }
    }

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        TrainingRun run = trainOne(optimizer, hyper.asMap(), out, !quiet);
        Path dir = this.out != null ? this.out : Path.of("runs", optimizer);
        run.writeTo(dir);
        if (plot != null) org.tuneless.plot.RunPlots.of(run).save(plot);
        out.print(run.summary());
        if (plot != null) out.println("  plot: " + plot.toAbsolutePath());
        out.println("  results: " + dir.toAbsolutePath() + " (metrics.csv, metrics.jsonl, evaluations.csv, run.json)");
        return run.diverged() ? 1 : 0;
    }

    TrainingRun trainOne(String optimizerName, Map<String, String> options, PrintWriter out, boolean progress) {
        if (steps <= 0) throw new IllegalArgumentException("--steps = " + steps + " must be a positive integer");
        if (evalEvery < 0) throw new IllegalArgumentException("--eval-every = " + evalEvery + " must be ≥ 0");
        DataType type = switch (dtype.toLowerCase(Locale.ROOT)) {
            case "float32", "float", "f32" -> DataType.FLOAT;
            case "float64", "double", "f64" -> DataType.DOUBLE;
            default -> throw new IllegalArgumentException("unknown --dtype '" + dtype + "'; valid: float32, float64");
        };
        Loss lossFn = Loss.byName(loss.toLowerCase(Locale.ROOT));
        Optimizer opt = Optimizers.create(optimizerName, options);
        DataSpec d = DataSpec.parse(data);
        Dataset train = d.split().train();
        int classes = d.text() ? (int) train.targets().size(2) : train.numClasses() > 0 ? train.numClasses() : (int) train.targets().size(1);
        Network net = Models.byName(model, train.inputShape(), classes, d.text()).build(type, seed);
        boolean agdInit = opt instanceof org.tuneless.optim.Agd;
        if (agdInit) org.tuneless.optim.Agd.initialize(net, seed);  // AGD's own orthogonal × √(d_out/d_in) initialization
        BatchStream stream;
        String batchLabel;
        if (batch.equalsIgnoreCase("full")) {
            stream = BatchStream.fixed(d.split().train().fullBatch());
            batchLabel = "full";
        } else {
            int size;
            try {
                size = Integer.parseInt(batch);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad --batch '" + batch + "'; expected a positive integer or 'full'");
            }
            if (size <= 0) throw new IllegalArgumentException("--batch = " + size + " must be positive (or 'full')");
            stream = new MinibatchStream(d.split().train(), size, seed);
            batchLabel = Integer.toString(size);
        }
        out.println("model " + model + " (" + net.parameterCount() + " parameters), data " + d.description() + ", optimizer " + opt.name());
        Trainer.Builder b = Trainer.builder().network(net).loss(lossFn).data(stream)
                .evaluateOn("train", d.split().train().fullBatch()).evaluateOn("test", d.split().test().fullBatch())
                .optimizer(opt).steps(steps).evaluateEvery(evalEvery).seed(seed).label(optimizerName).progress(progress)
                .config("model", model).config("init", agdInit ? "agd-orthogonal" : "he").config("data", d.source()).config("batch", batchLabel).config("optimizer_options", options);
        for (String t : track) {
            b.install(TrackSpec.parse(t, d.split().train()));
            b.config("track", track);
        }
        return b.build().run();
    }
}

package org.tuneless.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.tuneless.optim.Optimizers;
import org.tuneless.train.EvaluationRecord;
import org.tuneless.train.TrainingRun;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tuneless demo}: trains the same MLP on the embedded Fashion-MNIST subset with a tuned-by-hand baseline and with
 * learning-rate-free optimizers, then prints a comparison and where the results are.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Train MLP 784-256-256-10 on the embedded Fashion-MNIST subset with several optimizers and compare them.")
final class DemoCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(names = "--steps", defaultValue = "300", description = "Steps per optimizer (default ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--out", defaultValue = "runs/demo", description = "Where the runs go (default ${DEFAULT-VALUE}).")
    Path out;

    /**
     * Optimizer name → options: Adam at the learning rate a sweep picks on this workload (1e-3), then the
     * learning-rate-free methods at their defaults (ECCO at η = 10, the paper's middle value).
     */
    static Map<String, Map<String, String>> lineUp() {
        Map<String, Map<String, String>> m = new LinkedHashMap<>();
        m.put("adam", Map.of("lr", "1e-3"));
        for (String name : List.of("prodigy", "sf-adamw", "dog", "agd")) {
            if (Optimizers.names().contains(name)) m.put(name, Map.of());
        }
        m.put("ecco", Map.of("eta", "10"));
        return m;
    }

    /** The learning rate applied on the run's last step, e.g. {@code 3.2e-03}. */
    static String lastLearningRate(TrainingRun run) {
        if (run.history().isEmpty()) return "-";
        double lr = run.history().get(run.history().size() - 1).learningRate();
        return Double.isFinite(lr) ? String.format("%.2e", lr) : "-";
    }

    @Override public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        List<String[]> rows = new ArrayList<>();
        for (Map.Entry<String, Map<String, String>> e : lineUp().entrySet()) {
            TrainCommand t = new TrainCommand();
            t.model = "mlp:784-256-256-10";
            t.data = "fashion-mnist-embedded";
            t.steps = steps;
            t.batch = "128";
            t.loss = "ce";
            t.seed = 0;
            t.dtype = "float32";
            t.evalEvery = 100;
            o.println();
            TrainingRun run = t.trainOne(e.getKey(), new LinkedHashMap<>(e.getValue()), o, true);
            Path dir = out.resolve(e.getKey());
            run.writeTo(dir);
            EvaluationRecord test = run.lastEvaluation("test").orElse(null);
            EvaluationRecord train = run.lastEvaluation("train").orElse(null);
            rows.add(new String[]{run.config().get("optimizer").toString(), run.status().name(),
                    train == null ? "-" : String.format("%.4f", train.loss()),
                    test == null ? "-" : String.format("%.4f", test.loss()),
                    test == null ? "-" : String.format("%.1f%%", 100 * test.accuracy()),
                    lastLearningRate(run), String.format("%.1f s", run.seconds())});
        }
        o.println();
        o.printf("%-40s %-10s %11s %10s %9s %10s %8s%n", "optimizer", "status", "train loss", "test loss", "test acc", "final lr", "time");
        for (String[] r : rows) o.printf("%-40s %-10s %11s %10s %9s %10s %8s%n", (Object[]) r);
        o.println("final lr: the learning rate the optimizer applied on its last step (for AGD and ECCO their step size η, Δt).");
        o.println();
        o.println("Runs written to " + out.toAbsolutePath() + "/<optimizer>/ (metrics.csv, metrics.jsonl, evaluations.csv, run.json).");
        o.println("Try: ./tuneless train --optimizer adam --lr 3e-3 --steps 500   or   ./tuneless train --help");
        return 0;
    }
}

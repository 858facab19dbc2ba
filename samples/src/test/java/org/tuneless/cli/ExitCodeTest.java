package org.tuneless.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tuneless.catalog.Entry;
import org.tuneless.catalog.Param;
import org.tuneless.catalog.Range;
import org.tuneless.optim.Optimizer;
import org.tuneless.optim.OptimizerState;
import org.tuneless.optim.Optimizers;
import org.tuneless.optim.StepResult;
import org.tuneless.tensor.Vectors;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Exit codes: 0 ok, 1 a run that diverged or failed during training (files kept), 2 bad input refused before the first
 * step. A failure during training is provoked by a test-only catalog optimizer that throws at a chosen step (by default
 * it never does, so catalog-wide tests run it like any other).
 */
class ExitCodeTest {

    static final String FAULTY = "test-fails-at";

    @BeforeAll static void registerAFaultyOptimizer() {
        if (Optimizers.CATALOG.entries().stream().anyMatch(e -> e.name().equals(FAULTY))) return;
        Optimizers.CATALOG.register(Entry.<Optimizer>of(FAULTY, "test only: gradient descent that throws at step `at` (−1 = never)",
                a -> faulty(a.number("lr"), a.integer("at")),
                Param.number("lr", 0.01, Range.POSITIVE, "learning rate"), Param.integer("at", -1, Range.ANY, "the step that throws")));
    }

    static Optimizer faulty(double lr, int at) {
        return new Optimizer() {
            @Override public String name() { return FAULTY + "(" + at + ")"; }

            @Override public OptimizerState init(org.tuneless.tensor.ParameterLayout layout, org.nd4j.linalg.api.buffer.DataType type) {
                return new OptimizerState(layout, type);
            }

            @Override public StepResult step(org.tuneless.optim.StepContext ctx, OptimizerState state) {
                if (ctx.step() == at) throw new IllegalArgumentException("simulated failure at step " + at);
                Vectors.axpy(-lr, ctx.gradient(), ctx.parameters());
                return new StepResult(lr, Map.of());
            }
        };
    }

    static final String[] SMALL = {"train", "--model", "mlp:784-16-10", "--data", "fashion-mnist-embedded:256", "--batch", "64", "--eval-every", "0", "--quiet"};

    static TunelessCliTest.Result run(Path out, String... more) {
        String[] args = new String[SMALL.length + more.length + 2];
        System.arraycopy(SMALL, 0, args, 0, SMALL.length);
        System.arraycopy(more, 0, args, SMALL.length, more.length);
        args[args.length - 2] = "--out";
        args[args.length - 1] = out.toString();
        return TunelessCliTest.run(args);
    }

    @Test void anExceptionDuringTrainingIsExitOneWithTheRunKeptNotBadInput(@TempDir Path dir) throws IOException {
        // an IllegalArgumentException thrown during training used to be reported as bad input (exit 2)
        TunelessCliTest.Result r = run(dir, "--optimizer", FAULTY, "--at", "7", "--steps", "20");
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("tuneless train: training failed: step 7 failed: simulated failure at step 7"), r.err());
        assertTrue(r.out().contains("FAILED after 7 steps"), r.out());
        assertEquals("FAILED", new ObjectMapper().readTree(dir.resolve("run.json").toFile()).get("status").asText());
        assertEquals(8, Files.readAllLines(dir.resolve("metrics.csv")).size(), "header + steps 0-6");
        // the same optimizer at its default never throws: exit 0
        assertEquals(0, run(dir.resolve("ok"), "--optimizer", FAULTY, "--steps", "5").code());
    }

    @Test void divergenceIsConfigurableFromTheCommandLineAndExitsOne(@TempDir Path dir) throws IOException {
        // sgd at lr 20 on cross-entropy: the loss explodes but stays finite for a while
        String[] hot = {"--optimizer", "sgd", "--lr", "20", "--steps", "60", "--divergence-patience", "3"};
        TunelessCliTest.Result strict = run(dir.resolve("strict"), concat(hot, "--divergence-factor", "2"));
        assertEquals(1, strict.code(), strict.out() + strict.err());
        assertTrue(strict.out().contains("DIVERGED"), strict.out());
        var spec = new ObjectMapper().readTree(dir.resolve("strict/run.json").toFile()).get("config").get("spec");
        assertEquals(2.0, spec.get("divergence").get("factor").asDouble());
        assertEquals(3, spec.get("divergence").get("patience").asInt());
        assertTrue(strict.out().contains("the loss stayed above 2× its first value"), strict.out());
        TunelessCliTest.Result off = run(dir.resolve("off"), concat(hot, "--divergence-factor", "off"));
        assertTrue(!off.out().contains("the loss stayed above"), "the loss test is off: " + off.out());
        assertTrue(off.code() == 0 || off.out().contains("became NaN") || off.out().contains("became Infinity"), off.out());
        // bad values are bad input, refused before the first step with the flag's name
        TunelessCliTest.Result bad = run(dir.resolve("bad"), "--optimizer", "sgd", "--steps", "5", "--divergence-factor", "0.5");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--divergence-factor = 0.5 must be > 1"), bad.err());
        assertEquals(2, run(dir.resolve("bad2"), "--optimizer", "sgd", "--steps", "5", "--divergence-relative-to", "last").code());
        assertTrue(!Files.exists(dir.resolve("bad").resolve("metrics.csv")), "nothing written for bad input");
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}

package org.tuneless.train;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.tuneless.data.BatchStream;
import org.tuneless.objective.Batch;
import org.tuneless.nn.Loss;
import org.tuneless.nn.Network;
import org.tuneless.nn.NetworkObjective;
import org.tuneless.tensor.ParameterLayout;
import org.tuneless.tensor.Workspaces;
import org.tuneless.objective.Objective;
import org.tuneless.optim.EvaluationPoint;
import org.tuneless.optim.Optimizer;
import org.tuneless.optim.OptimizerState;
import org.tuneless.optim.StepContext;
import org.tuneless.optim.StepResult;
import org.tuneless.tensor.Vectors;

/**
 * The training loop: per step it draws a batch, evaluates loss and gradient, lets plug-ins measure, lets the
 * optimizer update the parameters, and records what happened. Evaluates on named splits on a schedule. A NaN/Inf
 * loss, gradient or parameter stops the run with status DIVERGED and restores the last finite parameters.
 *
 * <p><b>Where evaluations happen.</b> When the optimizer offers an {@link EvaluationPoint} (Schedule-Free's x, an
 * iterate average) and {@link Builder#evaluateAt} is {@link EvaluationMode#AVERAGE} (the default), the train/test loss
 * and accuracy are computed there, inside {@link Objective#withParameters}, so the live parameters (where gradients
 * are taken: Schedule-Free's y) are restored bit for bit and the trajectory does not depend on how often one
 * evaluates. If the network has batch-norm buffers, their running statistics are first re-estimated at that point
 * from the inputs of the last {@link Builder#statisticsBatches} training batches ({@link Network#recomputeStatistics}),
 * and restored afterwards. Each {@link EvaluationRecord} and run.json ({@code config.evaluation_point}) name the point.
 * The training loss of each step, and curvature plug-ins, stay at the live parameters.
 *
 * <pre>{@code
 * TrainingRun run = Trainer.builder()
 *     .network(Models.mlp(784, 256, 256, 10)).loss(new SoftmaxCrossEntropy())
 *     .data(batches).evaluateOn("test", test.fullBatch())
 *     .optimizer(new Adam(1e-3)).steps(500).evaluateEvery(50)
 *     .build().run();
 * }</pre>
 */
public final class Trainer {

    /** A loss above this multiple of the first step's loss … */
    public static final double DEFAULT_DIVERGENCE_FACTOR = 10;
    /** … for this many consecutive steps marks a run DIVERGED. */
    public static final int DEFAULT_DIVERGENCE_PATIENCE = 20;
    /**
     * Seconds between the explicit garbage collections a run asks for (default 10; system property
     * {@code tuneless.gc.seconds}, 0 = never): they return the off-heap memory of ND4J buffers whose Java objects died.
     */
    public static double defaultGcSeconds() {
        String v = System.getProperty("tuneless.gc.seconds");
        try {
            return v == null ? 10 : Math.max(0, Double.parseDouble(v));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-Dtuneless.gc.seconds=" + v + " is not a number of seconds");
        }
    }

    /** Step records a run keeps in memory before thinning them (see {@link TrainingRun#history()}). */
    public static final int DEFAULT_HISTORY_LIMIT = 10_000;

    private final Objective objective;
    private final NetworkObjective networkObjective;
    private final ParameterLayout layout;
    private final BatchStream data;
    private final Optimizer optimizer;
    private final long steps;
    private final long evaluateEvery;
    private final double divergenceFactor;
    private final int divergencePatience;
    private final boolean divergenceRelativeToBest;
    private final int historyLimit;
    private final long gcNanos;
    private final Map<String, Batch> evaluationSets;
    /** The (smaller, fixed) sets the evaluations during training use; the final evaluation uses {@link #evaluationSets}. */
    private final Map<String, Batch> periodicSets;
    private final List<TrainerPlugin> plugins;
    private final long seed;
    private final String label;
    private final Map<String, Object> config;
    private final INDArray resumeParameters;
    private final OptimizerState resumeState;
    private final long startStep;
    private final EvaluationMode evaluationMode;
    private final int statisticsBatches;
    private final CheckpointPolicy checkpoints;
    private final Checkpoint resume;
    private final java.util.function.BooleanSupplier interrupted;
    private final RunFileStream files;

    private Trainer(Builder b) {
        this.optimizer = Objects.requireNonNull(b.optimizer, "optimizer is not set: call optimizer(...)");
        if (b.steps < 0) throw new IllegalArgumentException("steps = " + b.steps + " must be ≥ 0");
        if (b.evaluateEvery < 0) throw new IllegalArgumentException("evaluateEvery = " + b.evaluateEvery + " must be ≥ 0 (0 = only at the end)");
        if (b.network != null) {
            if (b.objective != null) throw new IllegalArgumentException("set either network(...) or objective(...), not both");
            if (b.data == null) throw new IllegalArgumentException("training data is not set: call data(...) with a BatchStream");
            this.networkObjective = new NetworkObjective(b.network, b.loss == null ? Loss.byName("ce") : b.loss, null);
            this.objective = networkObjective;
            this.layout = b.network.layout();
        } else if (b.objective != null) {
            this.networkObjective = null;
            this.objective = b.objective;
            this.layout = b.layout != null ? b.layout : ParameterLayout.single("w", b.objective.dimension());
        } else {
            throw new IllegalArgumentException("nothing to train: call network(...) (with loss and data) or objective(...)");
        }
        this.data = b.data;
        this.evaluationMode = Objects.requireNonNull(b.evaluationMode, "evaluation mode");
        if (b.statisticsBatches < 0) throw new IllegalArgumentException("statisticsBatches = " + b.statisticsBatches + " must be ≥ 0");
        this.statisticsBatches = b.statisticsBatches;
        this.steps = b.steps;
        this.evaluateEvery = b.evaluateEvery;
        this.divergenceFactor = b.divergenceFactor;
        this.divergencePatience = b.divergencePatience;
        this.divergenceRelativeToBest = b.divergenceRelativeToBest;
        this.historyLimit = b.historyLimit;
        this.gcNanos = (long) (b.gcSeconds * 1e9);
        this.evaluationSets = new LinkedHashMap<>(b.evaluationSets);
        this.periodicSets = new LinkedHashMap<>(b.periodicSets);
        this.plugins = new ArrayList<>(b.plugins);
        if (b.progress) this.plugins.add(new ConsoleProgress());
        this.seed = b.seed;
        if (b.startStep < 0 || b.startStep > b.steps) {
            throw new IllegalArgumentException("resume step = " + b.startStep + " must be in [0, steps = " + b.steps + "]");
        }
        if (b.resumeParameters != null && b.resumeParameters.length() != layout.size()) {
            throw new IllegalArgumentException("resume parameters have length " + b.resumeParameters.length() + " but the model has "
                    + layout.size() + " parameters");
        }
        if (b.resume != null && b.resumeParameters != null) throw new IllegalArgumentException("resume either from a checkpoint or from parameters and state, not both");
        this.checkpoints = b.checkpoints;
        this.resume = b.resume;
        this.interrupted = b.interrupted;
        this.files = b.outputDirectory == null ? null : new RunFileStream(b.outputDirectory);
        this.resumeParameters = b.resumeParameters;
        this.resumeState = b.resumeState;
        this.startStep = b.startStep;
        this.label = b.label != null ? b.label : optimizer.name();
        this.config = new LinkedHashMap<>();
        config.put("label", label);
        config.put("optimizer", optimizer.name());
        if (networkObjective != null) {
            config.put("loss", networkObjective.lossFunction().name());
            config.put("parameters", b.network.parameterCount());
            config.put("dtype", b.network.dataType().name());
        }
        config.put("steps", steps);
        config.put("seed", seed);
        config.put("evaluate_every", evaluateEvery);
        config.put("evaluate_at", evaluationMode.name().toLowerCase(java.util.Locale.ROOT));
        config.putAll(b.config);
    }

    public static Builder builder() { return new Builder(); }

    /**
     * Checks that {@code directory} can receive a run's files (created if missing; a directory, writable), with the
     * operating system's reason when not; call it before loading data or training.
     */
    public static void validateOutput(java.nio.file.Path directory) { RunFileStream.validate(directory); }

    /**
     * Runs the loop to completion, divergence or a stop request. Before the first step it calls the optimizer's
     * {@link Optimizer#prepare} on the network (AGD's initialization), then applies the resume parameters if any, and
     * creates the optimizer's state ({@link Optimizer#init}, overwritten by the resume state if any).
     *
     * <p>The live parameters are moved only here: by the optimizer's step, and by the rollback to the last finite
     * parameters when the run diverges. Plug-ins and step-size tuners that evaluate elsewhere do so inside
     * {@link Objective#withParameters}, which restores them.
     */
    public TrainingRun run() {
        long n = layout.size();
        INDArray params = objective.parameters();
        if (networkObjective != null) optimizer.prepare(networkObjective.network(), seed);
        if (resumeParameters != null) params.assign(resumeParameters);
        OptimizerState state = optimizer.init(layout, params.dataType());
        if (resumeState != null) state.assign(resumeState);
        long firstStep = startStep;
        double secondsBefore = 0;
        INDArray gradient, previous, update;
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            gradient = Nd4j.zeros(params.dataType(), n);
            previous = params.dup();
            update = Nd4j.zeros(params.dataType(), n);
        }
        Loop loop = new Loop(gradient, previous, update, state);
        List<INDArray> recentInputsRestored = new ArrayList<>();
        BoundedHistory history = new BoundedHistory(historyLimit);
        List<EvaluationRecord> evaluations = new ArrayList<>();
        if (resume != null) {
            restore(resume, params, state, plugins, recentInputsRestored);
            firstStep = resume.step();
            secondsBefore = resume.seconds();
            org.tuneless.tensor.Snapshot lp = resume.state().child("loop");
            if (lp.has("history_stride")) {
                history.restore(resume.history(), lp.getLong("history_stride"), lp.getLong("history_added"), lp.getDouble("history_best"));
            } else {
                for (StepRecord r : resume.history()) history.add(r);   // a checkpoint of a run whose history was complete
            }
            evaluations.addAll(resume.evaluations());
        }
        long start = System.nanoTime() - (long) (secondsBefore * 1e9);
        TrainingStatus status = TrainingStatus.COMPLETED;
        String message = "";
        long stoppedAt = -1;
        Batch lastBatch = null;
        // inputs of the last training batches, to re-estimate batch-norm statistics at the evaluation point
        boolean keepInputs = networkObjective != null && statisticsBatches > 0 && !networkObjective.network().buffers().isEmpty()
                && evaluationMode == EvaluationMode.AVERAGE;
        Deque<INDArray> recentInputs = new ArrayDeque<>(recentInputsRestored);
        String lastPoint = evaluations.isEmpty() ? EvaluationRecord.LIVE : evaluations.get(evaluations.size() - 1).point();
        if (files != null) files.open(config, label, history.view(), history.stride() == 1, history.added());
        long lastCheckpoint = resume != null ? resume.step() : -1;

        for (TrainerPlugin p : plugins) p.onStart(loop);
        // consecutive steps whose loss exceeded divergenceFactor × the reference (the first loss, or the best so far);
        // recomputed from the history on resume
        int above = 0;
        double bestSoFar = Double.POSITIVE_INFINITY;
        org.tuneless.tensor.Snapshot resumedLoop = resume == null ? null : resume.state().child("loop");
        if (resumedLoop != null && resumedLoop.has("divergence_above")) {
            above = (int) resumedLoop.getLong("divergence_above");
            bestSoFar = resumedLoop.getDouble("history_best");
        } else {
            List<StepRecord> h = history.view();
            for (StepRecord r : h) {
                double ref = divergenceRelativeToBest ? bestSoFar : h.get(0).loss();
                above = r.loss() > divergenceFactor * ref ? above + 1 : 0;
                if (r.loss() < bestSoFar) bestSoFar = r.loss();
            }
        }
        Throwable failure = null;
        boolean inUpdate = false, checkpointsAllowed = true;
        // an optimizer that asked for a uᵀHu in its last step (CDAT) gets this step's gradient pass with its forward
        // activations kept, so that its uᵀHu runs the second-order tangent only (KeptForwardObjective; the same number)
        boolean reuseForward = networkObjective != null && networkObjective.network().curvatureReusesGradientPass()
                && !"false".equals(System.getProperty("tuneless.curvature.reuseGradientPass"));
        boolean keepForward = false;
        long lastGc = System.nanoTime();
        try {
        for (long step = firstStep; step < steps; step++) {
            loop.step = step;
            loop.learningRate = Double.NaN;
            if (!plugins.isEmpty()) update.assign(0);  // plug-ins see zeros before the update (TrainingContext.update); nobody else reads it
            if (networkObjective != null) {
                lastBatch = data.next();
                networkObjective.useBatch(lastBatch);
                if (keepInputs) {
                    try (MemoryWorkspace ignored = Workspaces.detached()) {
                        recentInputs.addLast(lastBatch.inputs().dup());   // the stream reuses its batch arrays
                    }
                    while (recentInputs.size() > statisticsBatches) recentInputs.removeFirst();
                }
                loop.batch = lastBatch;
            }
            Network.ForwardKept kept = reuseForward && keepForward ? networkObjective.lossAndGradientKeepingForward(gradient) : null;
            double loss = kept != null ? kept.value() : objective.lossAndGradient(gradient);
            double gradNorm = Vectors.norm(gradient);
            loop.loss = loss;
            if (!Double.isFinite(loss) || !Double.isFinite(gradNorm)) {
                status = TrainingStatus.DIVERGED;
                stoppedAt = step;
                String what = !Double.isFinite(loss) ? "loss became " + loss : "gradient norm became " + gradNorm;
                if (step > firstStep) {
                    params.assign(previous);
                    message = what + " at step " + step + "; parameters restored to those of step " + (step - 1) + ", the last with a finite loss";
                } else {
                    message = what + " at step 0 (initial parameters): check the data and the model's initialization";
                }
                break;
            }
            Map<String, Double> metrics = new LinkedHashMap<>();
            for (TrainerPlugin p : plugins) p.beforeUpdate(loop, metrics);
            previous.assign(params);
            inUpdate = true;
            KeptForwardObjective stepObjective = reuseForward ? new KeptForwardObjective(objective, kept, () -> {
                Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp(params, previous, update));  // scratch until the update below
                return update.amaxNumber().doubleValue() == 0.0;  // bit for bit where finite; a NaN falls back
            }) : null;
            StepResult result = optimizer.step(new StepContext(step, stepObjective != null ? stepObjective : objective, gradient, loss, layout), state);
            if (stepObjective != null) keepForward = stepObjective.curvatureAsked();
            inUpdate = false;
            loop.learningRate = result.learningRate();
            Nd4j.exec(new org.nd4j.linalg.api.ops.impl.transforms.pairwise.arithmetic.SubOp(params, previous, update));  // one pass, not assign + subi
            double updateNorm = Vectors.norm(update);
            if (!Double.isFinite(updateNorm)) {
                params.assign(previous);
                status = TrainingStatus.DIVERGED;
                stoppedAt = step;
                message = "the update at step " + step + " was not finite (learning rate " + result.learningRate()
                        + "); parameters restored to those before it";
                history.add(new StepRecord(step, epoch(), loss, result.learningRate(), gradNorm, updateNorm, elapsed(start), withDiagnostics(metrics, result)));
                break;
            }
            double lr = result.learningRate();
            if (lr < 0 || Double.isInfinite(lr)) {
                params.assign(previous);
                status = TrainingStatus.DIVERGED;
                stoppedAt = step;
                message = "the learning rate at step " + step + " was " + lr + (lr < 0 ? " (negative: the step would go uphill)" : "")
                        + "; parameters restored to those before it";
                history.add(new StepRecord(step, epoch(), loss, lr, gradNorm, updateNorm, elapsed(start), withDiagnostics(metrics, result)));
                break;
            }
            for (TrainerPlugin p : plugins) p.afterUpdate(loop, metrics);
            StepRecord record = new StepRecord(step, epoch(), loss, result.learningRate(), gradNorm, updateNorm, elapsed(start),
                    withDiagnostics(metrics, result));
            history.add(record);
            if (files != null) files.append(record);
            for (TrainerPlugin p : plugins) p.onStep(loop, record);
            double first = divergenceRelativeToBest ? bestSoFar : history.first().loss();
            above = loss > divergenceFactor * first ? above + 1 : 0;
            if (loss < bestSoFar) bestSoFar = loss;
            if (above >= divergencePatience) {
                status = TrainingStatus.DIVERGED;
                stoppedAt = step;
                String factor = divergenceFactor == Math.rint(divergenceFactor) ? Long.toString((long) divergenceFactor) : Double.toString(divergenceFactor);
                message = String.format(java.util.Locale.ROOT, "the loss stayed above %s× its %s (%.4g) for %d steps, up to %.4g at step %d: "
                        + "the run is diverging; lower the learning rate (or raise the limit: --divergence-factor, DSL divergence(...), "
                        + "Trainer.Builder.divergence)", factor, divergenceRelativeToBest ? "best value so far" : "first value", first, above, loss, step);
                break;
            }
            boolean last = step == steps - 1;
            if (!evaluationSets.isEmpty() && (last || (evaluateEvery > 0 && (step + 1) % evaluateEvery == 0))) {
                List<EvaluationRecord> evs = evaluateAll(step + 1, state, params, recentInputs, last);
                for (EvaluationRecord ev : evs) {
                    evaluations.add(ev);
                    lastPoint = ev.point();
                    for (TrainerPlugin p : plugins) p.onEvaluation(loop, ev);
                }
            }
            if (files != null) files.evaluations(evaluations);
            long done = step + 1;
            if (checkpoints != null && checkpoints.every() > 0 && done % checkpoints.every() == 0) {
                writeCheckpoint(done, elapsed(start), params, state, recentInputs, history, above, evaluations);
                lastCheckpoint = done;
            }
            if (loop.stopReason != null) {
                status = TrainingStatus.STOPPED;
                stoppedAt = step;
                message = "stopped at step " + step + ": " + loop.stopReason;
                break;
            }
            if (gcNanos > 0 && System.nanoTime() - lastGc > gcNanos) {
                // ND4J frees an off-heap buffer only when its Java object is collected, and the Java side of a buffer is a
                // few hundred bytes: G1 sees no pressure while native memory grows (a 10⁵-step soak reached 3.3 GB RSS
                // by step 43,000). A collection every few seconds returns it (benchmarks/README.md, "Soak").
                System.gc();
                lastGc = System.nanoTime();
            }
            if (interrupted != null && interrupted.getAsBoolean() && done < steps) {
                status = TrainingStatus.INTERRUPTED;
                stoppedAt = step;
                message = "interrupted after step " + step + " (" + done + " of " + steps + " steps done)";
                break;
            }
        }
        } catch (ThreadDeath e) {
            // a notebook interrupt: the Kotlin kernel 0.11 stops the cell's thread (Thread.stop) at an arbitrary point. The
            // steps before this one are kept (files INTERRUPTED, observers get the partial run; no checkpoint of this
            // moment, the periodic ones stay valid), then the kernel's ThreadDeath goes on.
            failure = e;
            status = TrainingStatus.INTERRUPTED;
            stoppedAt = loop.step;
            if (inUpdate) params.assign(previous);
            message = "interrupted during step " + loop.step + " (notebook interrupt): " + history.added() + " steps kept"
                    + (inUpdate ? "; parameters restored to those before the step" : "");
        } catch (RuntimeException | Error e) {
            // a failure inside a step (an optimizer, a plug-in, an evaluation, the disk): nothing is lost — the history so
            // far, the run files (status FAILED) and the parameters of the last complete step are kept, then it is rethrown
            failure = e;
            status = TrainingStatus.FAILED;
            stoppedAt = loop.step;
            if (inUpdate) params.assign(previous);
            message = "step " + loop.step + " failed: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage())
                    + (inUpdate ? "; parameters restored to those before the step" : "");
        }
        boolean killed = failure instanceof ThreadDeath;
        // the kernel stops the thread anywhere in a step (the data stream may have advanced, the update may be half done):
        // no checkpoint of that moment; the periodic ones stay valid
        if (killed) checkpointsAllowed = false;
        long stepsDone = history.isEmpty() ? firstStep : history.last().step() + 1;
        if (checkpoints != null && checkpointsAllowed && status != TrainingStatus.DIVERGED && status != TrainingStatus.FAILED && lastCheckpoint != stepsDone
                && (checkpoints.onExit() || status == TrainingStatus.INTERRUPTED)) {
            writeCheckpoint(stepsDone, elapsed(start), params, state, recentInputs, history, above, evaluations);
            message = message + (message.isEmpty() ? "" : "; ") + "checkpoint at step " + stepsDone + " in " + checkpoints.directory();
        }
        boolean failed = status == TrainingStatus.FAILED || killed;
        double finalLoss = failed || (steps == 0 && networkObjective != null && lastBatch == null) ? lastLoss(history.view()) : objective.loss();
        // the evaluation point at the end (after a divergence the state is ahead of the restored parameters: use them)
        EvaluationPoint ep = status == TrainingStatus.DIVERGED || failed ? null : evaluationPoint(state);
        INDArray evaluationParameters;
        try (MemoryWorkspace ignored = Workspaces.detached()) {
            evaluationParameters = ep == null ? params.dup() : ep.evaluationPoint(state, params).dup();
        }
        Map<String, Object> runConfig = new LinkedHashMap<>(config);
        runConfig.put("evaluation_point", ep != null ? ep.description() : lastPoint);
        if (ep != null || !EvaluationRecord.LIVE.equals(lastPoint)) {
            runConfig.put("curvature_point", "live parameters, where the gradient is taken (Schedule-Free: y), not the evaluation point");
        }
        TrainingRun run = new TrainingRun(label, runConfig, status, message, stoppedAt, history.view(), evaluations, params.dup(), finalLoss,
                networkObjective == null ? null : networkObjective.network(), elapsed(start), state.copy(), evaluationParameters,
                history.added(), history.stride(), history.best());
        if (failed) {
            if (files != null) {
                try {
                    files.finish(run);
                } catch (RuntimeException e) {
                    failure.addSuppressed(e);
                }
            }
            for (TrainerPlugin p : plugins) {
                try {
                    p.onFinish(loop, run);   // observers see the partial run (the notebook's lastRun, a progress display)
                } catch (RuntimeException e) {
                    failure.addSuppressed(e);
                }
            }
            if (killed) throw (ThreadDeath) failure;
            throw new TrainingFailedException(run, failure);
        }
        if (files != null) files.finish(run);
        for (TrainerPlugin p : plugins) p.onFinish(loop, run);
        return run;
    }

    /** The last finite loss of a history (NaN if none). */
    private static double lastLoss(List<StepRecord> history) {
        for (int i = history.size() - 1; i >= 0; i--) if (Double.isFinite(history.get(i).loss())) return history.get(i).loss();
        return Double.NaN;
    }

    /** Where checkpoints go, how often (0 = never on a schedule), how many to keep, and whether to write one at the end. */
    public record CheckpointPolicy(java.nio.file.Path directory, long every, int keep, boolean onExit) {
        public CheckpointPolicy {
            Objects.requireNonNull(directory, "checkpoint directory");
            if (every < 0) throw new IllegalArgumentException("checkpoint every = " + every + " must be ≥ 0 steps (0 = only at exit)");
            if (keep < 1) throw new IllegalArgumentException("keep = " + keep + " must be ≥ 1 checkpoint");
        }
    }

    private void writeCheckpoint(long done, double seconds, INDArray params, OptimizerState state, Deque<INDArray> recentInputs,
                                 BoundedHistory history, int divergenceAbove, List<EvaluationRecord> evaluations) {
        org.tuneless.tensor.Snapshot snap = org.tuneless.tensor.Snapshot.create();
        if (data != null) data.saveState(snap.child("data"));
        org.tuneless.tensor.Snapshot ps = snap.child("plugins");
        for (int i = 0; i < plugins.size(); i++) {
            org.tuneless.tensor.Snapshot p = ps.child(Integer.toString(i));
            p.put("class", plugins.get(i).getClass().getName());
            plugins.get(i).saveState(p);
        }
        org.tuneless.tensor.Snapshot lp = snap.child("loop");
        lp.put("recent_inputs", recentInputs.size());
        lp.put("history_stride", history.stride()).put("history_added", history.added()).put("history_best", history.best())
                .put("divergence_above", divergenceAbove);
        int i = 0;
        for (INDArray x : recentInputs) lp.putTensor("recent_inputs/" + i++, x);
        Map<String, INDArray> model;
        if (networkObjective != null) {
            org.tuneless.nn.Network net = networkObjective.network();
            model = net.namedTensors();
            List<long[]> gens = net.generatorStates();
            org.tuneless.tensor.Snapshot g = lp.child("generators");
            for (int k = 0; k < gens.size(); k++) g.put(Integer.toString(k), gens.get(k));
        } else {
            model = Map.of("parameters", params);
        }
        Object spec = config.get("spec");
        com.fasterxml.jackson.databind.JsonNode specJson = spec instanceof org.tuneless.catalog.Specification s ? s.toJsonTree() : null;
        Checkpoint.write(checkpoints.directory(), done, seconds, specJson, optimizer.name(), model, state.tensorsByParameter(),
                state.scalarsByName(), snap, history.view(), evaluations, checkpoints.keep());
    }

    /** Puts the checkpoint's parameters, buffers, optimizer state, data position and plug-in state into this fresh run. */
    private void restore(Checkpoint c, INDArray params, OptimizerState state, List<TrainerPlugin> plugins, List<INDArray> recentInputs) {
        String where = c.toString();
        if (c.step() > steps) throw new IllegalArgumentException(where + " is after step " + c.step() + " but the run has only " + steps + " steps (raise steps, with --override steps)");
        org.tuneless.tensor.Snapshot snap = c.state();
        org.tuneless.tensor.Snapshot lp = snap.child("loop");
        if (networkObjective != null) {
            org.tuneless.nn.Network net = networkObjective.network();
            net.assignTensors(c.modelTensors(), where + "/model.safetensors");
            if (net.dataType() != params.dataType()) throw new IllegalStateException("parameters and network differ in type");
            org.tuneless.tensor.Snapshot g = lp.child("generators");
            List<long[]> gens = new ArrayList<>();
            for (int k = 0; k < net.generatorStates().size(); k++) gens.add(g.getLongs(Integer.toString(k)));
            net.restoreGeneratorStates(gens);
        } else {
            INDArray p = c.modelTensors().get("parameters");
            if (p == null || p.length() != params.length()) throw new IllegalArgumentException(where + "/model.safetensors: tensor 'parameters' is missing or has the wrong length");
            params.assign(p);
        }
        // optimizer state: every tensor of a fresh state must be in the file with its shape, and nothing else
        Map<String, INDArray> live = state.tensorsByParameter();
        Map<String, INDArray> saved = c.optimizerTensors();
        for (Map.Entry<String, INDArray> e : live.entrySet()) {
            INDArray t = saved.get(e.getKey());
            if (t == null) {
                throw new IllegalArgumentException(where + "/optimizer.safetensors: tensor '" + e.getKey() + "' is missing (the checkpoint's optimizer is "
                        + c.optimizerName() + ", this run's " + optimizer.name() + ")");
            }
            if (!java.util.Arrays.equals(t.shape(), e.getValue().shape()) || t.dataType() != e.getValue().dataType()) {
                throw new IllegalArgumentException(where + "/optimizer.safetensors: tensor '" + e.getKey() + "' is " + t.dataType() + java.util.Arrays.toString(t.shape())
                        + ", this run needs " + e.getValue().dataType() + java.util.Arrays.toString(e.getValue().shape()));
            }
        }
        for (String k : saved.keySet()) {
            if (!live.containsKey(k)) throw new IllegalArgumentException(where + "/optimizer.safetensors: tensor '" + k + "' is not part of " + optimizer.name() + "'s state");
        }
        live.forEach((k, v) -> v.assign(saved.get(k)));
        state.restoreScalars(c.optimizerScalars(), where + "/state.json optimizer.scalars");
        if (data != null) data.restoreState(snap.child("data"));
        org.tuneless.tensor.Snapshot ps = snap.child("plugins");
        for (int i = 0; i < plugins.size(); i++) {
            String key = Integer.toString(i);
            if (!ps.values().has(key)) continue;
            org.tuneless.tensor.Snapshot p = ps.child(key);
            if (p.getString("class").equals(plugins.get(i).getClass().getName())) plugins.get(i).restoreState(p);
        }
        long n = lp.getLong("recent_inputs");
        for (int i = 0; i < n; i++) recentInputs.add(lp.tensor("recent_inputs/" + i, -1));
    }

    private long epoch() { return data == null ? 0 : data.epoch(); }

    private static double elapsed(long start) { return (System.nanoTime() - start) / 1e9; }

    private static Map<String, Double> withDiagnostics(Map<String, Double> metrics, StepResult result) {
        Map<String, Double> all = new LinkedHashMap<>(result.diagnostics());
        all.putAll(metrics);
        return all;
    }

    /** The optimizer's evaluation point if it offers one and evaluations should use it, else null. */
    private EvaluationPoint evaluationPoint(OptimizerState state) {
        if (evaluationMode == EvaluationMode.LIVE) return null;
        return optimizer.capability(EvaluationPoint.class, state).orElse(null);
    }

    /**
     * Evaluates every split, at the optimizer's evaluation point when there is one (batch-norm statistics re-estimated
     * there and restored after), inside {@link Objective#withParameters} so that the live parameters come back exactly.
     */
    private List<EvaluationRecord> evaluateAll(long step, OptimizerState state, INDArray params, Deque<INDArray> recentInputs, boolean last) {
        EvaluationPoint ep = evaluationPoint(state);
        if (ep == null) return evaluateSplits(step, EvaluationRecord.LIVE, last);
        INDArray point = ep.evaluationPoint(state, params);
        return objective.withParameters(point, () -> {
            Network network = networkObjective.network();
            List<INDArray> buffers = network.buffers();
            if (buffers.isEmpty() || recentInputs.isEmpty()) return evaluateSplits(step, ep.description(), last);
            List<INDArray> saved = new ArrayList<>();
            try (MemoryWorkspace ignored = Workspaces.detached()) {
                for (INDArray b : buffers) saved.add(b.dup());
            }
            try {
                network.recomputeStatistics(new ArrayList<>(recentInputs));
                return evaluateSplits(step, ep.description(), last);
            } finally {
                for (int i = 0; i < buffers.size(); i++) buffers.get(i).assign(saved.get(i));
            }
        });
    }

    private List<EvaluationRecord> evaluateSplits(long step, String point, boolean last) {
        List<EvaluationRecord> out = new ArrayList<>();
        for (Map.Entry<String, Batch> e : (last ? evaluationSets : periodicSets).entrySet()) {
            Evaluator.Result r = Evaluator.evaluate(networkObjective.network(), networkObjective.lossFunction(), e.getValue());
            out.add(new EvaluationRecord(step, e.getKey(), r.loss(), r.accuracy(), point));
        }
        return out;
    }

    /** The live view plug-ins get. */
    private final class Loop implements TrainingContext {
        private final INDArray gradient;
        private final INDArray previous;
        private final INDArray update;
        private final OptimizerState state;
        private long step;
        private double loss = Double.NaN;
        private double learningRate = Double.NaN;
        private Batch batch;
        private String stopReason;

        Loop(INDArray gradient, INDArray previous, INDArray update, OptimizerState state) {
            this.gradient = gradient;
            this.previous = previous;
            this.update = update;
            this.state = state;
        }

        @Override public long step() { return step; }
        @Override public long totalSteps() { return steps; }
        @Override public long seed() { return seed; }
        @Override public Objective objective() { return objective; }
        @Override public Optional<Network> network() { return networkObjective == null ? Optional.empty() : Optional.of(networkObjective.network()); }
        @Override public Optimizer optimizer() { return optimizer; }
        @Override public OptimizerState optimizerState() { return state; }
        @Override public ParameterLayout layout() { return layout; }
        @Override public Optional<Batch> batch() { return Optional.ofNullable(batch); }
        @Override public double loss() { return loss; }
        @Override public INDArray gradient() { return gradient; }
        @Override public double learningRate() { return learningRate; }
        @Override public INDArray previousParameters() { return previous; }
        @Override public INDArray update() { return update; }
        @Override public void requestStop(String reason) { this.stopReason = reason; }
    }

    /** Configures a {@link Trainer}. */
    public static final class Builder {
        private Network network;
        private Loss loss;
        private BatchStream data;
        private Objective objective;
        private ParameterLayout layout;
        private Optimizer optimizer;
        private long steps = 100;
        private long evaluateEvery = 0;
        private double divergenceFactor = DEFAULT_DIVERGENCE_FACTOR;
        private int divergencePatience = DEFAULT_DIVERGENCE_PATIENCE;
        private boolean divergenceRelativeToBest;
        private int historyLimit = DEFAULT_HISTORY_LIMIT;
        private double gcSeconds = defaultGcSeconds();
        private final Map<String, Batch> evaluationSets = new LinkedHashMap<>();
        private final Map<String, Batch> periodicSets = new LinkedHashMap<>();
        private final List<TrainerPlugin> plugins = new ArrayList<>();
        private long seed;
        private String label;
        private boolean progress;
        private final Map<String, Object> config = new LinkedHashMap<>();
        private INDArray resumeParameters;
        private OptimizerState resumeState;
        private long startStep;
        private EvaluationMode evaluationMode = EvaluationMode.AVERAGE;
        private int statisticsBatches = 20;
        private CheckpointPolicy checkpoints;
        private Checkpoint resume;
        private java.util.function.BooleanSupplier interrupted;
        private java.nio.file.Path outputDirectory;

        private Builder() {}

        /** Writes checkpoints as {@code policy} says (see {@link Checkpoint} for what one holds). */
        public Builder checkpoints(CheckpointPolicy policy) { this.checkpoints = policy; return this; }

        /**
         * Continues from {@code checkpoint}: parameters, buffers, optimizer state, data position, plug-in state, history and
         * evaluations; the loop takes steps {@code checkpoint.step() … steps − 1}. The run must be built as the checkpointed
         * one was (same model, optimizer, data, seed); a mismatching part is refused by name.
         */
        public Builder resume(Checkpoint checkpoint) { this.resume = checkpoint; return this; }

        /**
         * Checked after every step: when it returns true the run stops there with status INTERRUPTED (and writes a
         * checkpoint if {@link #checkpoints} is set). For signal handlers and notebook interrupts.
         */
        public Builder interruptWhen(java.util.function.BooleanSupplier signal) { this.interrupted = signal; return this; }

        /**
         * Streams the run's files into {@code directory} while it runs: run.json (status RUNNING, then the final status),
         * metrics.jsonl and metrics.csv appended per step (flushed at least every second), evaluations.csv; see
         * {@link TrainingRun#writeTo}. The directory is checked (created, writable) before the first step.
         */
        public Builder outputTo(java.nio.file.Path directory) { this.outputDirectory = directory; return this; }

        public Builder network(Network network) { this.network = network; return this; }

        public Builder loss(Loss loss) { this.loss = loss; return this; }

        public Builder data(BatchStream data) { this.data = data; return this; }

        /** Full-batch training on one fixed batch. */
        public Builder fullBatch(Batch batch) { this.data = BatchStream.fixed(batch); return this; }

        /** Trains a synthetic objective (quadratic, Rosenbrock) instead of a network. */
        public Builder objective(Objective objective) { this.objective = objective; return this; }

        public Builder objective(Objective objective, ParameterLayout layout) { this.objective = objective; this.layout = layout; return this; }

        public Builder optimizer(Optimizer optimizer) { this.optimizer = optimizer; return this; }

        public Builder steps(long steps) { this.steps = steps; return this; }

        /** Evaluate every k steps (and after the last); 0 = only after the last step. */
        public Builder evaluateEvery(long k) { this.evaluateEvery = k; return this; }

        /**
         * When a finite run counts as diverged: its loss stays above {@code factor} × the loss of its first step for
         * {@code patience} consecutive steps (defaults {@value #DEFAULT_DIVERGENCE_FACTOR}× for
         * {@value #DEFAULT_DIVERGENCE_PATIENCE} steps; {@code factor} = ∞ turns the rule off). Non-finite values and a
         * negative or infinite learning rate always stop the run.
         */
        public Builder divergence(double factor, int patience) { return divergence(factor, patience, false); }

        /**
         * Asks for a garbage collection every {@code seconds} of training (default {@link Trainer#defaultGcSeconds()}, 10 s;
         * 0 = never), which returns the off-heap memory of ND4J buffers whose Java objects died.
         */
        public Builder collectGarbageEvery(double seconds) {
            if (!(seconds >= 0) || Double.isInfinite(seconds)) throw new IllegalArgumentException("garbage collection interval = " + seconds + " s must be ≥ 0 (0 = never)");
            this.gcSeconds = seconds;
            return this;
        }

        /**
         * At most {@code records} step records in memory (default {@value Trainer#DEFAULT_HISTORY_LIMIT}): beyond it the history
         * keeps every 2nd, 4th, … step plus the latest, so a run of 10⁶ steps does not grow its heap; the run files
         * ({@link #outputTo}) keep every step. {@code Integer.MAX_VALUE} keeps everything.
         */
        public Builder historyLimit(int records) {
            if (records < 2) throw new IllegalArgumentException("history limit = " + records + " must be ≥ 2 records");
            this.historyLimit = records;
            return this;
        }

        /**
         * A run whose loss stays above {@code factor} × its first loss (or, with {@code relativeToBest}, × the best loss so
         * far) for {@code patience} consecutive steps is DIVERGED; {@code factor} = ∞ turns this test off.
         */
        public Builder divergence(double factor, int patience, boolean relativeToBest) {
            this.divergenceRelativeToBest = relativeToBest;
            if (!(factor > 1)) throw new IllegalArgumentException("divergence factor = " + factor + " must be > 1 (∞ = off)");
            if (patience < 1) throw new IllegalArgumentException("divergence patience = " + patience + " must be ≥ 1 step");
            this.divergenceFactor = factor;
            this.divergencePatience = patience;
            return this;
        }

        /** Adds a named split to evaluate (loss and accuracy), e.g. {@code "test"}. */
        public Builder evaluateOn(String split, Batch batch) { return evaluateOn(split, batch, batch); }

        /**
         * Adds a named split: the evaluations during training use {@code duringTraining} (e.g. a fixed subset, to keep
         * evaluation a small part of a run), the final evaluation after the last step uses {@code batch}.
         */
        public Builder evaluateOn(String split, Batch batch, Batch duringTraining) {
            this.evaluationSets.put(Objects.requireNonNull(split, "split"), Objects.requireNonNull(batch, "batch"));
            this.periodicSets.put(split, Objects.requireNonNull(duringTraining, "duringTraining"));
            return this;
        }

        public Builder seed(long seed) { this.seed = seed; return this; }

        /**
         * Where to evaluate when the optimizer offers an evaluation point (Schedule-Free's x, an iterate average):
         * {@link EvaluationMode#AVERAGE} (default) there, {@link EvaluationMode#LIVE} at the live parameters.
         */
        public Builder evaluateAt(EvaluationMode mode) { this.evaluationMode = Objects.requireNonNull(mode, "evaluation mode"); return this; }

        /**
         * How many of the latest training batches re-estimate batch-norm running statistics before evaluating at the
         * optimizer's evaluation point (default 20; 0 = keep the statistics gathered at the live parameters). Only
         * networks with batch norm are affected.
         */
        public Builder statisticsBatches(int batches) { this.statisticsBatches = batches; return this; }

        public Builder label(String label) { this.label = label; return this; }

        /** Shows a terminal progress bar on stderr. */
        public Builder progress(boolean show) { this.progress = show; return this; }

        public Builder install(TrainerPlugin plugin) { this.plugins.add(plugin); return this; }

        /** Adds an entry to the run's configuration (written to run.json). */
        public Builder config(String key, Object value) { this.config.put(key, value); return this; }

        /**
         * Continues a run from a checkpoint: the parameters and optimizer state after {@code startStep} steps (e.g. a
         * previous run's {@link TrainingRun#finalParameters()} and {@link TrainingRun#optimizerState()}). The loop then
         * takes steps {@code startStep … steps − 1}, so {@link #steps} stays the total. The data stream must be positioned
         * where the interrupted run left it. The state must have the structure the optimizer's {@code init} gives.
         */
        public Builder resumeFrom(INDArray parameters, OptimizerState state, long startStep) {
            this.resumeParameters = Objects.requireNonNull(parameters, "resume parameters");
            this.resumeState = Objects.requireNonNull(state, "resume optimizer state");
            this.startStep = startStep;
            return this;
        }

        public Trainer build() { return new Trainer(this); }
    }
}

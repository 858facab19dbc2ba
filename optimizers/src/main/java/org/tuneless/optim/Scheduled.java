package org.tuneless.optim;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

import org.nd4j.linalg.api.buffer.DataType;
import org.tuneless.metrics.Metrics;
import org.tuneless.nn.Network;
import org.tuneless.optim.schedule.Schedule;
import org.tuneless.tensor.ParameterLayout;

/**
 * A learning-rate schedule around any optimizer that follows one ({@link Optimizer#followsSchedule()}: the base
 * optimizers sgd/momentum/nesterov/rmsprop/adam/adamw/adagrad/lion, Prodigy and D-Adaptation, and the wrappers around
 * them). This is the one place schedules are applied: at step t the wrapper passes the base the factor
 * {@code schedule.multiplier(t, totalSteps)} in {@link StepContext#lrFactor()}, and the base multiplies its learning rate
 * by it — lr for the base optimizers (decoupled weight decay included, as torch's schedulers do for AdamW), lr in d·lr
 * for Prodigy and D-Adaptation (which is how their authors pair them with a cosine schedule; the d estimate sees the
 * scheduled lr, as in the official code driven by a torch scheduler). The reported learning rate is the base's effective
 * one, so plots show the schedule.
 *
 * <p>The position in the schedule is the step index, so the state is the base's own, unchanged (a checkpoint of a
 * scheduled run restores into the unscheduled optimizer and back). With a constant schedule every number is bit for bit
 * the base's (×1 is exact). Reports the base's diagnostics and {@code schedule.multiplier}.
 */
public final class Scheduled implements Optimizer {

    private final Optimizer base;
    private final Schedule schedule;
    private final long totalSteps;

    public Scheduled(Optimizer base, Schedule schedule, long totalSteps) {
        if (base == null) throw new IllegalArgumentException("a schedule needs a base optimizer");
        if (schedule == null) throw new IllegalArgumentException("Scheduled: schedule is missing (Schedule.constant() for none)");
        if (!base.followsSchedule()) {
            throw new IllegalArgumentException("optimizer " + base.name() + " has no learning rate a schedule could multiply; schedules apply to "
                    + "sgd, momentum, nesterov, rmsprop, adam, adamw, adagrad, lion, prodigy, dadapt-sgd, dadapt-adam and wrappers around them");
        }
        if (totalSteps < 1) throw new IllegalArgumentException("Scheduled: total steps = " + totalSteps + " must be a positive integer");
        this.base = base;
        this.schedule = schedule;
        this.totalSteps = totalSteps;
    }

    public Optimizer base() { return base; }

    public Schedule schedule() { return schedule; }

    @Override public String name() { return base.name() + " with " + schedule.label(); }

    @Override public String toString() { return name(); }

    /** The base's state: the schedule itself has none. */
    @Override public OptimizerState init(ParameterLayout layout, DataType type) { return base.init(layout, type); }

    @Override public void prepare(Network network, long seed) { base.prepare(network, seed); }

    @Override public boolean followsSchedule() { return true; }

    @Override public StepResult step(StepContext ctx, OptimizerState state) {
        double m = schedule.multiplier(ctx.step(), totalSteps);
        StepResult r = base.step(ctx.withLrFactor(ctx.lrFactor() * m), state);
        Map<String, Double> diag = new LinkedHashMap<>(r.diagnostics());
        diag.put(Metrics.SCHEDULE_MULTIPLIER, m);
        return new StepResult(r.learningRate(), diag);
    }

    @Override public <T> Optional<T> capability(Class<T> type, OptimizerState state) { return base.capability(type, state); }
}

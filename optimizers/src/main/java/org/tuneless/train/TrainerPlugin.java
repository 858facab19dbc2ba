package org.tuneless.train;

import java.util.Map;

/**
 * An add-on to the training loop (Ktor-style {@code install(plugin)}): curvature tracking, progress display,
 * checkpoints, early stopping. Every hook has a no-op default.
 */
public interface TrainerPlugin {

    /** Before the first step. */
    default void onStart(TrainingContext context) {}

    /**
     * After the gradient at the current parameters is known and before the optimizer moves them; metrics put into
     * {@code metrics} are recorded with this step (e.g. the sharpness at these parameters).
     */
    default void beforeUpdate(TrainingContext context, Map<String, Double> metrics) {}

    /**
     * After the optimizer moved the parameters; {@link TrainingContext#update()} is the step just taken and
     * {@link TrainingContext#previousParameters()} the point it started from. Metrics put here join this step's record.
     */
    default void afterUpdate(TrainingContext context, Map<String, Double> metrics) {}

    /** When the step's record is final. */
    default void onStep(TrainingContext context, StepRecord record) {}

    /** After an evaluation. */
    default void onEvaluation(TrainingContext context, EvaluationRecord evaluation) {}

    /** When the run ends, however it ends. */
    default void onFinish(TrainingContext context, TrainingRun run) {}

    /**
     * Writes what this plug-in carries from step to step (warm-start vectors, previous updates) into a checkpoint, so
     * that a resumed run measures exactly what the uninterrupted one would. Stateless plug-ins write nothing (default).
     */
    default void saveState(org.tuneless.tensor.Snapshot out) {}

    /** Restores what {@link #saveState} wrote, before the first resumed step. */
    default void restoreState(org.tuneless.tensor.Snapshot in) {}
}

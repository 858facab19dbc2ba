package org.tuneless.train;

/**
 * A training step threw. The run up to the last complete step is not lost: {@link #run()} holds its history,
 * evaluations and parameters (status {@link TrainingStatus#FAILED}), and the run files, when written, say FAILED with
 * the message. The original exception is the {@linkplain #getCause() cause}.
 */
public final class TrainingFailedException extends RuntimeException {

    private final transient TrainingRun run;

    public TrainingFailedException(TrainingRun run, Throwable cause) {
        super(run.statusMessage(), cause);
        this.run = run;
    }

    /** The partial run: every complete step, the evaluations so far, the parameters after the last complete step. */
    public TrainingRun run() { return run; }

    /** The step that failed. */
    public long step() { return run.stoppedAtStep(); }
}

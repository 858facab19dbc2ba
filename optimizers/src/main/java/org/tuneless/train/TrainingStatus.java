package org.tuneless.train;

/** How a run ended. */
public enum TrainingStatus {
    /** Still running (seen only by plug-ins). */
    RUNNING,
    /** Ran all its steps. */
    COMPLETED,
    /** A loss, gradient or parameter became NaN/Inf; the run stopped and kept its last finite parameters. */
    DIVERGED,
    /** A plug-in or the caller asked it to stop early. */
    STOPPED,
    /** Interrupted (Ctrl-C, SIGTERM, a notebook interrupt) after a complete step; a checkpoint lets it resume. */
    INTERRUPTED,
    /**
     * A step threw (a bug in an optimizer or plug-in, a full disk, out of memory): the run files, the history and the
     * parameters of the last complete step are kept, and {@link TrainingFailedException} carries the partial run.
     */
    FAILED
}

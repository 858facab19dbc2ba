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
    INTERRUPTED
}

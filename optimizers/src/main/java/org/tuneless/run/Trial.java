package org.tuneless.run;

/**
 * One unit of work for a {@link TrialExecutor}: a run spec and an id that names it in results (unique within a
 * submission, stable across processes so that a resumed benchmark can tell which trials are done).
 */
public record Trial(String id, RunSpec spec) {
    public Trial {
        if (id == null || id.isBlank()) throw new IllegalArgumentException("a trial needs a non-empty id");
        if (spec == null) throw new IllegalArgumentException("trial " + id + " has no run spec");
    }
}

package org.tuneless.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The in-memory history of a run, bounded: it keeps every step until it holds {@code limit} records, then keeps every
 * 2nd, 4th, … step (a stride that doubles whenever the limit is reached again), always with the first and the latest
 * step. Evenly spaced records are what charts need; the full detail is streamed to metrics.jsonl/metrics.csv. The state
 * is a function of the steps added, so an uninterrupted run and a resumed one hold the same records.
 */
final class BoundedHistory {

    private final int limit;
    private final ArrayList<StepRecord> kept = new ArrayList<>();
    /** The latest record when its step is not on the stride (it is replaced by the next one). */
    private StepRecord tail;
    private long stride = 1;
    private long added;
    private double best = Double.POSITIVE_INFINITY;

    BoundedHistory(int limit) {
        if (limit < 2) throw new IllegalArgumentException("history limit = " + limit + " must be ≥ 2 records");
        this.limit = limit;
    }

    void add(StepRecord r) {
        added++;
        if (r.loss() < best) best = r.loss();
        if (r.step() % stride == 0) {
            kept.add(r);
            tail = null;
            if (kept.size() > limit) thin();
        } else {
            tail = r;
        }
    }

    private void thin() {
        StepRecord latest = kept.get(kept.size() - 1);
        stride *= 2;
        kept.removeIf(x -> x.step() % stride != 0);
        if (tail == null && kept.get(kept.size() - 1) != latest) tail = latest;
    }

    /** Restores the state of a checkpoint: its records (as {@link #view}) and stride, and how many steps were added. */
    void restore(List<StepRecord> records, long stride, long added, double best) {
        if (!kept.isEmpty() || tail != null) throw new IllegalStateException("restore needs an empty history");
        this.stride = stride;
        for (int i = 0; i < records.size(); i++) {
            StepRecord r = records.get(i);
            if (r.step() % stride == 0) kept.add(r);
            else if (i == records.size() - 1) tail = r;
            else throw new IllegalArgumentException("history record of step " + r.step() + " is not on the stride " + stride);
        }
        this.added = added;
        this.best = best;
    }

    boolean isEmpty() { return kept.isEmpty() && tail == null; }

    StepRecord first() { return kept.isEmpty() ? tail : kept.get(0); }

    StepRecord last() { return tail != null ? tail : kept.isEmpty() ? null : kept.get(kept.size() - 1); }

    /** Steps recorded so far (all of them, also those no longer in memory). */
    long added() { return added; }

    /** 1 while every step is in memory; 2, 4, … once thinned. */
    long stride() { return stride; }

    /** The smallest loss of all steps added (exact, also over steps no longer in memory). */
    double best() { return best; }

    /** The records in memory, in step order (a copy). */
    List<StepRecord> view() {
        List<StepRecord> v = new ArrayList<>(kept.size() + 1);
        v.addAll(kept);
        if (tail != null) v.add(tail);
        return Collections.unmodifiableList(v);
    }
}

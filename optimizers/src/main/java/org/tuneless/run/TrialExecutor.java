package org.tuneless.run;

import java.util.List;
import java.util.function.Consumer;

/**
 * Runs a list of {@link Trial}s and streams each {@link TrialResult} to a callback as it finishes. Every
 * {@code Throwable} of a trial becomes a {@link TrialResult#FAILED} result; it never stops the other trials. The local
 * implementation is {@link LocalExecutor} (threads); a cluster implementation plugs in behind the same interface.
 */
public interface TrialExecutor extends AutoCloseable {

    /**
     * Starts the trials. {@code onResult} is called once per finished trial, never concurrently with itself (so it may
     * append to a file without locking), in completion order. Trials stopped by {@link Execution#cancel()} report
     * status {@code INTERRUPTED} (or are not reported if they had not started).
     */
    Execution start(List<Trial> trials, Consumer<TrialResult> onResult);

    /**
     * Trials running at this moment (over all submissions), for progress displays; -1 when the executor does not
     * know (the default).
     */
    default int running() { return -1; }

    /** Where to watch the trials, one "label: URL" line each (e.g. a cluster's web UIs); empty by default. */
    default List<String> links() { return List.of(); }

    /** Releases what the executor holds (a Spark context it created); nothing by default. */
    @Override default void close() {}

    /** A started submission. */
    interface Execution {
        /** Waits for every trial; the results of the trials that ran, in submission order. */
        List<TrialResult> await() throws InterruptedException;

        /** Stops the trials: running ones end after their current step (status INTERRUPTED), queued ones never start. */
        void cancel();
    }

    /** Runs the trials and waits for them. */
    default List<TrialResult> run(List<Trial> trials, Consumer<TrialResult> onResult) throws InterruptedException {
        Execution e = start(trials, onResult);
        try {
            return e.await();
        } catch (InterruptedException ex) {
            e.cancel();
            throw ex;
        }
    }
}

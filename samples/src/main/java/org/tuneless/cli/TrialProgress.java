package org.tuneless.cli;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.tuneless.run.TrialExecutor;

import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Driver-side progress of trials on an executor that counts its running trials ({@link TrialExecutor#running()}: the
 * Spark executor does, from Spark's task events): the executor's links (web UIs) first; then one line per finished
 * trial ending in "running R, failed F"; on a terminal also a progress bar over the trials (stderr, the library the
 * training bar uses) with the running and failed counts, refreshed twice a second. For executors that do not count
 * (local threads) it prints the finished-trial lines only, as before.
 */
final class TrialProgress implements AutoCloseable {

    private final TrialExecutor executor;
    private final PrintWriter out;
    private final boolean counts;
    private ProgressBar bar;
    private ScheduledExecutorService refresh;
    private int failed;

    TrialProgress(TrialExecutor executor, PrintWriter out) {
        this.executor = executor;
        this.out = out;
        this.counts = executor.running() >= 0;
    }

    /** Prints the links; starts the bar (terminal only) over {@code total} trials. */
    synchronized void start(int total) {
        for (String link : executor.links()) out.println("  " + link);
        out.flush();
        if (!counts || System.console() == null) return;
        bar = new ProgressBarBuilder().setTaskName("trials").setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                // one line redrawn in place (\r), so that the trial lines printed above it stay intact
                .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(500).continuousUpdate().build();
        bar.setExtraMessage(status());
        refresh = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tuneless-progress");
            t.setDaemon(true);
            return t;
        });
        refresh.scheduleAtFixedRate(() -> {
            synchronized (this) {
                if (bar != null) bar.setExtraMessage(status());
            }
        }, 500, 500, TimeUnit.MILLISECONDS);
    }

    private String status() {
        return "running " + Math.max(0, executor.running()) + ", failed " + failed;
    }

    /** A finished trial: its line (with the counts when known), and the bar's step. */
    synchronized void finished(int done, int total, boolean failedTrial, String line) {
        if (failedTrial) failed++;
        if (bar != null) out.print("\r\033[K");  // the line replaces the bar's; the bar redraws below it
        out.println(counts ? line + "   " + status() : line);
        out.flush();
        if (bar != null) {
            bar.maxHint(total);
            bar.stepTo(done);
            bar.setExtraMessage(status());
        }
    }

    @Override public synchronized void close() {
        if (refresh != null) refresh.shutdownNow();
        if (bar != null) bar.close();
        bar = null;
    }
}

package org.tuneless.run;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * Runs trials on {@code threads} local threads, one trial per thread. With more than one thread each trial gets one
 * BLAS/OpenMP thread (set in each worker thread, and OpenBLAS's global maximum set to 1 while trials run): several
 * BLAS threads per trial on a shared machine spin-wait and slow every trial. The {@code ./tuneless bench} launcher also
 * starts the JVM with {@code OMP_NUM_THREADS=1} unless the variable is set.
 */
public final class LocalExecutor implements TrialExecutor {

    private final int threads;

    public LocalExecutor(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads = " + threads + " must be ≥ 1");
        this.threads = threads;
    }

    public int threads() { return threads; }

    @Override public String toString() { return "LocalExecutor(" + threads + ")"; }

    @Override public Execution start(List<Trial> trials, Consumer<TrialResult> onResult) {
        if (threads > 1) oneBlasThread(true);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(() -> {
                if (threads > 1) oneBlasThread(false);
                r.run();
            }, "tuneless-trial");
            t.setDaemon(true);
            return t;
        });
        AtomicBoolean cancelled = new AtomicBoolean();
        Object callbackLock = new Object();
        List<Future<TrialResult>> futures = new ArrayList<>();
        for (Trial trial : trials) {
            futures.add(pool.submit(() -> {
                if (cancelled.get()) return null;
                TrialResult r = runOne(trial, cancelled);
                synchronized (callbackLock) {
                    if (onResult != null) onResult.accept(r);
                }
                return r;
            }));
        }
        pool.shutdown();
        return new Execution() {
            @Override public List<TrialResult> await() throws InterruptedException {
                List<TrialResult> out = new ArrayList<>();
                for (Future<TrialResult> f : futures) {
                    try {
                        TrialResult r = f.get();
                        if (r != null) out.add(r);
                    } catch (java.util.concurrent.CancellationException e) {
                        // a queued trial of a cancelled execution
                    } catch (ExecutionException e) {
                        throw new IllegalStateException("the result callback failed: " + e.getCause(), e.getCause());
                    }
                }
                return out;
            }

            @Override public void cancel() {
                // queued trials see the flag and return at once; running ones stop after their current step. Futures
                // are not cancelled: await() must still wait for a running trial's callback
                cancelled.set(true);
            }
        };
    }

    /** One OpenMP thread for the calling thread, and (global) one OpenBLAS thread; best effort, never fails a trial. */
    public static void oneBlasThread(boolean global) { blasThreads(1, global); }

    /**
     * {@code n} BLAS/OpenMP threads: for the whole process ({@code global}) or for ND4J's ops called from this thread
     * (a Spark task given {@code spark.task.cpus = n} cores).
     */
    public static void blasThreads(int n, boolean global) {
        if (n < 1) throw new IllegalArgumentException("BLAS threads = " + n + " must be ≥ 1");
        // ND4J first: loading its native ops before Nd4j's own initialization (a fresh JVM, e.g. a Spark task) breaks
        // that initialization for the rest of the process ("Could not initialize class Nd4j")
        org.nd4j.linalg.factory.Nd4j.getExecutioner();
        try {
            if (global) org.nd4j.linalg.factory.Nd4j.factory().blas().setMaxThreads(n);
            else org.nd4j.nativeblas.NativeOpsHolder.getInstance().getDeviceNativeOps().setOmpNumThreads(n);
        } catch (Throwable e) {
            // a backend without these controls: OMP_NUM_THREADS=1 in the environment does the same
        }
    }

    /** One trial, every Throwable isolated into a FAILED result. */
    static TrialResult runOne(Trial trial, AtomicBoolean cancelled) {
        return runTrial(trial, cancelled::get);
    }

    /**
     * Runs one trial in the calling thread, every Throwable isolated into a FAILED result; the run stops after its
     * current step (status INTERRUPTED) once {@code cancelled} turns true. Cluster executors call this in their tasks.
     */
    public static TrialResult runTrial(Trial trial, java.util.function.BooleanSupplier cancelled) {
        long start = System.nanoTime();
        try {
            Run.Options options = Run.Options.DEFAULT.withPersistence(new Run.Persistence(null, null, null, cancelled));
            var run = Run.start(trial.spec(), options).run();
            return TrialResult.of(trial, run, (System.nanoTime() - start) / 1e9);
        } catch (Throwable e) {
            if (e instanceof InterruptedException) Thread.currentThread().interrupt();
            return TrialResult.failed(trial, e, (System.nanoTime() - start) / 1e9);
        }
    }
}

package org.tuneless.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * Ctrl-C (SIGINT) and SIGTERM during {@code tuneless train}: the first asks the training loop to stop after the current
 * step (it then writes a checkpoint, flushes the run files and marks run.json INTERRUPTED; the tool exits 128 + the
 * signal number: 130 or 143); a second Ctrl-C stops the process at once (exit 130). Uses {@code sun.misc.Signal}, the
 * JDK's supported way to handle signals (module jdk.unsupported); where it is unavailable the JVM's default applies.
 */
final class Interruption {

    private final AtomicInteger signal = new AtomicInteger();
    private final List<Signal> installed = new ArrayList<>();
    private final List<SignalHandler> previous = new ArrayList<>();

    /** What the first interrupt does and what a second one leaves valid, as the user is told. */
    private final String finishing;
    private final String kept;

    private Interruption(String finishing, String kept) {
        this.finishing = finishing;
        this.kept = kept;
    }

    /** For a training run: the current step finishes and a checkpoint is written. */
    static Interruption install() {
        return install("finishing the current step and writing a checkpoint", "the last checkpoint stays valid");
    }

    /** For a sweep: the running trials stop; finished trials are in trials.jsonl and the sweep resumes from them. */
    static Interruption installForSweep() {
        return install("stopping the running trials; finished trials are kept in trials.jsonl", "rerun the same command to continue the sweep");
    }

    private static Interruption install(String finishing, String kept) {
        Interruption i = new Interruption(finishing, kept);
        for (String name : List.of("INT", "TERM")) {
            try {
                Signal s = new Signal(name);
                SignalHandler old = Signal.handle(s, sig -> i.handle(sig.getNumber()));
                i.installed.add(s);
                i.previous.add(old);
            } catch (IllegalArgumentException | UnsupportedOperationException e) {
                // the JVM reserves this signal here (e.g. -Xrs): keep its default behaviour
            }
        }
        return i;
    }

    private void handle(int number) {
        if (!signal.compareAndSet(0, number)) {
            System.err.println("\ntuneless: stopped at once (second interrupt); " + kept);
            Runtime.getRuntime().halt(128 + number);
        }
        System.err.println("\ntuneless: interrupted; " + finishing + " (interrupt again to stop at once)");
    }

    boolean requested() { return signal.get() != 0; }

    /** The signal number received (2 for SIGINT, 15 for SIGTERM), or 0. */
    int signal() { return signal.get(); }

    void uninstall() {
        for (int k = 0; k < installed.size(); k++) {
            try {
                Signal.handle(installed.get(k), previous.get(k));
            } catch (IllegalArgumentException e) {
                // nothing to restore
            }
        }
    }
}

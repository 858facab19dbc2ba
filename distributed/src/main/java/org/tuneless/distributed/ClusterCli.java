package org.tuneless.distributed;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code ./tuneless cluster start-local | stop | status}: a standalone Spark cluster on this machine
 * ({@link LocalCluster}), its state in {@code --dir} (the launcher gives {@code .tuneless/cluster}).
 */
@Command(name = "cluster", mixinStandardHelpOptions = true, subcommands = {ClusterCli.Start.class, ClusterCli.Stop.class, ClusterCli.Status.class},
        description = "A standalone Apache Spark cluster on this machine (a master and workers as background JVMs) to run sweeps and benchmarks on: "
                + "./tuneless bench --master spark://HOST:PORT …")
public final class ClusterCli implements Callable<Integer> {

    @Option(names = "--dir", defaultValue = ".tuneless/cluster", description = "state directory: pids, logs, work directories (default: ${DEFAULT-VALUE})")
    Path dir;

    @Override public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    @Command(name = "start-local", mixinStandardHelpOptions = true, description = "Start a master and workers in the background; returns when every worker has registered.")
    static final class Start implements Callable<Integer> {
        @CommandLine.ParentCommand ClusterCli parent;
        @Spec CommandSpec spec;

        @Option(names = "--workers", defaultValue = "2", description = "worker JVMs (default: ${DEFAULT-VALUE})")
        int workers;

        @Option(names = "--cores-per-worker", defaultValue = "1", description = "cores each worker offers = trials it runs at once (default: ${DEFAULT-VALUE})")
        int cores;

        @Option(names = "--memory-per-worker", defaultValue = "2g", description = "memory each worker offers its executors, e.g. 2g (default: ${DEFAULT-VALUE})")
        String memory;

        @Option(names = "--host", defaultValue = "127.0.0.1", description = "address the master and workers bind to (default: ${DEFAULT-VALUE})")
        String host;

        @Option(names = "--port", defaultValue = "7077", description = "the master's port (default: ${DEFAULT-VALUE})")
        int port;

        @Option(names = "--ui-port", defaultValue = "8080", description = "the master's web UI port (default: ${DEFAULT-VALUE})")
        int uiPort;

        @Override public Integer call() {
            PrintWriter o = spec.commandLine().getOut();
            LocalCluster.Options opts = LocalCluster.Options.defaults(parent.dir).withWorkers(workers).withCoresPerWorker(cores).withMemoryPerWorker(memory)
                    .withHost(host).withPorts(port, uiPort);
            long t0 = System.nanoTime();
            LocalCluster c = LocalCluster.start(opts);
            o.printf(java.util.Locale.ROOT, "tuneless cluster: master and %d worker(s) × %d core(s), %s each, up in %.1f s%n", workers, cores, memory, (System.nanoTime() - t0) / 1e9);
            o.println("  master URL  " + c.masterUrl());
            o.println("  master UI   " + c.uiUrl());
            o.println("  logs, pids  " + c.dir());
            o.println("Use it:   ./tuneless bench --suite smoke --master " + c.masterUrl() + " --out runs/bench-cluster");
            o.println("Stop it:  ./tuneless cluster stop");
            return 0;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true, description = "Stop the workers (and their executors) and the master.")
    static final class Stop implements Callable<Integer> {
        @CommandLine.ParentCommand ClusterCli parent;
        @Spec CommandSpec spec;

        @Override public Integer call() {
            Optional<LocalCluster> c = LocalCluster.attach(parent.dir);
            if (c.isEmpty()) throw new IllegalStateException("no local cluster is running (none started from " + parent.dir.toAbsolutePath() + "); start one with ./tuneless cluster start-local");
            c.get().close();
            spec.commandLine().getOut().println("tuneless cluster: stopped " + c.get().masterUrl() + " and its " + c.get().workers().size() + " worker(s)");
            return 0;
        }
    }

    @Command(name = "status", mixinStandardHelpOptions = true, description = "The master, its workers and running applications; exit code 3 when no cluster runs.")
    static final class Status implements Callable<Integer> {
        @CommandLine.ParentCommand ClusterCli parent;
        @Spec CommandSpec spec;

        @Override public Integer call() {
            PrintWriter o = spec.commandLine().getOut();
            Optional<LocalCluster> c = LocalCluster.attach(parent.dir);
            if (c.isEmpty()) {
                o.println("tuneless cluster: not running (start one with ./tuneless cluster start-local)");
                return 3;
            }
            c.get().status().forEach(o::println);
            return 0;
        }
    }

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new ClusterCli());
        PrintWriter err = new PrintWriter(System.err, true);
        cli.setOut(new PrintWriter(System.out, true));
        cli.setErr(err);
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (System.getenv("TUNELESS_DEBUG") != null) ex.printStackTrace(err);
            boolean expected = ex instanceof IllegalArgumentException || ex instanceof IllegalStateException || ex instanceof java.io.UncheckedIOException;
            err.println("tuneless " + cmd.getCommandSpec().qualifiedName() + ": error: " + ex.getMessage()
                    + (expected ? "" : " (unexpected " + ex.getClass().getSimpleName() + "; set TUNELESS_DEBUG=1 for the stack trace)"));
            return expected ? 2 : 1;
        });
        System.exit(cli.execute(args));
    }
}

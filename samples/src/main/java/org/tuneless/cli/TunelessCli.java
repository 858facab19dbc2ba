package org.tuneless.cli;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the command-line tool; {@code ./tuneless train ...} and {@code ./tuneless demo} land here. */
@Command(name = "tuneless", mixinStandardHelpOptions = true, version = "tuneless 0.1.0",
        description = "Train neural networks without tuning the learning rate.",
        subcommands = {TrainCommand.class, DemoCommand.class, ListCommand.class, BenchCommand.class, InfoCommand.class, SweepCommand.class})
public final class TunelessCli implements Callable<Integer> {

    @Override public Integer call() {
        CommandLine.usage(this, System.out);
        return 0;
    }

    public static void main(String[] args) {
        System.exit(execute(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /**
     * Runs the tool with the given streams and returns the exit code: 0 ok; 1 the run diverged or failed during training
     * (its history and files are kept); 2 bad input, refused before the first step; 130/143 interrupted (SIGINT/SIGTERM).
     */
    public static int execute(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new TunelessCli());
        TrainCommand.addOptimizerOptions(cli.getSubcommands().get("train").getCommandSpec());
        cli.getSubcommands().get("bench").getCommandSpec().usageMessage().footer("%nPresets for --optimizers:%n" + BenchCommand.presets().replace("%", "%%"));
        cli.setOut(out);
        cli.setErr(err);
        cli.setParameterExceptionHandler((ex, a) -> {
            String cmd = ex.getCommandLine().getCommandName();
            err.println("tuneless " + cmd + ": " + firstLine(ex.getMessage()) + " (see ./tuneless " + cmd + " --help)");
            return 2;
        });
        cli.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            if (System.getenv("TUNELESS_DEBUG") != null) ex.printStackTrace(err);
            boolean expected = ex instanceof IllegalArgumentException || ex instanceof UncheckedIOException
                    || ex.getClass().getSimpleName().equals("DataFormatException") || ex instanceof IllegalStateException;
            String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : firstLine(ex.getMessage());
            err.println("tuneless " + cmd.getCommandName() + ": error: " + msg
                    + (expected ? "" : " (unexpected " + ex.getClass().getSimpleName() + "; set TUNELESS_DEBUG=1 for the stack trace)"));
            return expected ? 2 : 1;
        });
        return cli.execute(args);
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}

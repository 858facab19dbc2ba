package org.tuneless.cli;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.Callable;

import org.tuneless.catalog.Catalog;
import org.tuneless.run.Catalogs;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code tuneless list optimizers|models|data|losses|trackers}: the catalogs, with each parameter's type, default, valid range and doc. */
@Command(name = "list", mixinStandardHelpOptions = true,
        description = "List the catalog entries of a kind (optimizers, models, data, losses, trackers) with their parameters: flag, type, default, valid range, doc.")
final class ListCommand implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "KIND", description = "optimizers, models, data, losses or trackers (default: all)")
    String kind;

    @Override public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Map<String, Catalog<?>> all = Catalogs.all();
        if (kind == null) {
            all.forEach((k, c) -> {
                out.println("== " + k + " ==");
                out.print(c.describe());
                out.println();
            });
            return 0;
        }
        String k = switch (kind) {
            case "optimizer" -> "optimizers";
            case "model" -> "models";
            case "loss" -> "losses";
            case "tracker" -> "trackers";
            case "datasets", "dataset" -> "data";
            default -> kind;
        };
        Catalog<?> c = all.get(k);
        if (c == null) throw new IllegalArgumentException("unknown catalog '" + kind + "'; valid: " + String.join(", ", all.keySet()));
        out.print(c.describe());
        return 0;
    }
}

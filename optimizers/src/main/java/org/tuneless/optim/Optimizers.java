package org.tuneless.optim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Builds optimizers by name with string options — the registry behind the CLI ({@code --optimizer adam --lr 1e-3})
 * and scripts. Other optimizers join it with {@link #register}.
 */
public final class Optimizers {

    /** A registered optimizer: its name, a one-line description, the options it takes and how to build it. */
    public record Entry(String name, String description, Set<String> options, Function<OptimizerOptions, Optimizer> factory) {}

    private static final Map<String, Entry> REGISTRY = new LinkedHashMap<>();
    private static final Map<String, String> ALIASES = new LinkedHashMap<>();

    static {
        Set<String> sgdOptions = Set.of("lr", "momentum", "weight-decay", "dampening");
        register("sgd", "gradient descent (torch.optim.SGD); lr default 0.01", sgdOptions,
                o -> new Sgd(o.number("lr", 0.01), o.number("momentum", 0), o.number("dampening", 0), false, o.number("weight-decay", 0)));
        alias("gd", "sgd");
        register("momentum", "heavy-ball momentum SGD; lr 0.01, momentum 0.9", sgdOptions,
                o -> new Sgd(o.number("lr", 0.01), o.number("momentum", 0.9), o.number("dampening", 0), false, o.number("weight-decay", 0)));
        register("nesterov", "Nesterov momentum SGD; lr 0.01, momentum 0.9", Set.of("lr", "momentum", "weight-decay"),
                o -> new Sgd(o.number("lr", 0.01), o.number("momentum", 0.9), 0, true, o.number("weight-decay", 0)));
        register("rmsprop", "RMSProp (torch.optim.RMSprop); lr 0.01, alpha 0.99, eps 1e-8",
                Set.of("lr", "alpha", "eps", "weight-decay", "momentum"),
                o -> new RmsProp(o.number("lr", 0.01), o.number("alpha", 0.99), o.number("eps", 1e-8), o.number("weight-decay", 0),
                        o.number("momentum", 0), false));
        register("adam", "Adam (torch.optim.Adam); lr 1e-3, betas 0.9/0.999, eps 1e-8",
                Set.of("lr", "beta1", "beta2", "eps", "weight-decay"),
                o -> new Adam(o.number("lr", 1e-3), o.number("beta1", 0.9), o.number("beta2", 0.999), o.number("eps", 1e-8), o.number("weight-decay", 0)));
        register("adamw", "AdamW (torch.optim.AdamW); lr 1e-3, weight decay 1e-2",
                Set.of("lr", "beta1", "beta2", "eps", "weight-decay"),
                o -> new AdamW(o.number("lr", 1e-3), o.number("beta1", 0.9), o.number("beta2", 0.999), o.number("eps", 1e-8), o.number("weight-decay", 1e-2)));
        register("adagrad", "AdaGrad (torch.optim.Adagrad); lr 0.01", Set.of("lr", "lr-decay", "eps", "weight-decay"),
                o -> new AdaGrad(o.number("lr", 0.01), o.number("lr-decay", 0), o.number("eps", 1e-10), o.number("weight-decay", 0), 0));
    }

    private Optimizers() {}

    public static synchronized void register(String name, String description, Set<String> options, Function<OptimizerOptions, Optimizer> factory) {
        REGISTRY.put(name, new Entry(name, description, Set.copyOf(options), factory));
    }

    public static synchronized void alias(String alias, String target) {
        ALIASES.put(alias, target);
    }

    /** Registered names (aliases included), in registration order. */
    public static synchronized List<String> names() {
        List<String> names = new ArrayList<>(REGISTRY.keySet());
        names.addAll(ALIASES.keySet());
        return names;
    }

    public static synchronized Entry entry(String name) {
        Entry e = REGISTRY.get(ALIASES.getOrDefault(name, name));
        if (e == null) {
            throw new IllegalArgumentException("unknown optimizer '" + name + "'; valid: " + String.join(", ", names()));
        }
        return e;
    }

    /** Builds optimizer {@code name} from string options (keys as on the command line, without dashes in front). */
    public static Optimizer create(String name, Map<String, String> options) {
        Entry e = entry(name);
        return e.factory().apply(new OptimizerOptions(e.name(), options, e.options()));
    }

    /** A base optimizer usable as a direction for a step-size tuner ({@code gd}, {@code momentum}, {@code adam}, …). */
    public static UpdateDirection direction(String name, Map<String, String> options) {
        Optimizer o = create(name, options);
        if (!(o instanceof UpdateDirection d)) {
            throw new IllegalArgumentException("'" + name + "' cannot serve as a base direction; valid bases: gd, momentum, nesterov, rmsprop, adam, adamw, adagrad");
        }
        return d;
    }
}

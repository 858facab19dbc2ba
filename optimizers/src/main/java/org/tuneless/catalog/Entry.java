package org.tuneless.catalog;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * One catalog entry: name (+ aliases), a one-line doc, its parameters and the factory that builds the value from
 * validated arguments. {@code dslName} is the Kotlin DSL function that builds the same spec (for {@code toDsl()}).
 */
public record Entry<T>(String name, List<String> aliases, String doc, List<Param> params, String dslName, Function<Args, T> factory) {

    public Entry {
        aliases = List.copyOf(aliases);
        params = List.copyOf(params);
    }

    public static <T> Entry<T> of(String name, String doc, Function<Args, T> factory, Param... params) {
        return new Entry<>(name, List.of(), doc, List.of(params), Param.camel(name), factory);
    }

    public Entry<T> aliases(String... names) {
        return new Entry<>(name, List.of(names), doc, params, dslName, factory);
    }

    public Entry<T> dsl(String function) {
        return new Entry<>(name, aliases, doc, params, function, factory);
    }

    public Optional<Param> param(String paramName) {
        return params.stream().filter(p -> p.name().equals(paramName)).findFirst();
    }
}

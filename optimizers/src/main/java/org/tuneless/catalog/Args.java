package org.tuneless.catalog;

import java.util.List;

/** The validated arguments a catalog factory reads (defaults already filled in). */
public final class Args {

    private final Component component;

    Args(Component component) { this.component = component; }

    public Component component() { return component; }

    public boolean has(String name) { return component.params().get(name) != null; }

    public double number(String name) { return ((Number) get(name)).doubleValue(); }

    public int integer(String name) { return ((Number) get(name)).intValue(); }

    public boolean bool(String name) { return (Boolean) get(name); }

    public String text(String name) { return (String) get(name); }

    @SuppressWarnings("unchecked")
    public List<Integer> ints(String name) { return (List<Integer>) get(name); }

    @SuppressWarnings("unchecked")
    public List<String> names(String name) { return (List<String>) get(name); }

    public Component spec(String name) { return (Component) get(name); }

    private Object get(String name) {
        if (!component.params().containsKey(name)) {
            throw new IllegalStateException(component.kind() + " '" + component.name() + "' has no parameter '" + name + "'");
        }
        return component.params().get(name);
    }
}

package org.tuneless.catalog;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A validated choice from a catalog: the kind ("optimizer", "model", …), the entry's name and every parameter's value
 * (defaults filled in, in the entry's order). Immutable; built only through {@link Catalog}, so its values are valid.
 * Values are Double, Integer, Boolean, String, List of Integer or String, or a nested Component.
 */
public record Component(String kind, String name, Map<String, Object> params) {

    public Component {
        params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
    }

    public Object get(String param) { return params.get(param); }

    @Override public String toString() {
        return name + params;
    }
}

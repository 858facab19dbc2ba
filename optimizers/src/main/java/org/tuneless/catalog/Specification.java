package org.tuneless.catalog;

import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * A complete, serializable description of a run (implemented by {@code org.tuneless.run.RunSpec}); lower layers such
 * as {@code train.TrainingRun} hold it without depending on the layer that defines it.
 */
public interface Specification {

    /** The spec as a JSON tree (deterministic key order); Jackson writes this wherever the spec is serialized. */
    @JsonValue
    JsonNode toJsonTree();

    /** The spec as indented JSON text. */
    String toJson();

    /** The Kotlin DSL code that builds the same spec. */
    String toDsl();
}

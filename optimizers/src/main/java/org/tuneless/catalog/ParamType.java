package org.tuneless.catalog;

/** The type of a catalog parameter; it fixes how the value is parsed from text or JSON and printed. */
public enum ParamType {
    DOUBLE("number"), INT("integer"), BOOL("true|false"), STRING("text"), ENUM("choice"),
    INT_LIST("integers"), STRING_LIST("names"), SPEC("spec");

    private final String label;

    ParamType(String label) { this.label = label; }

    /** How `list` and `--help` print the type. */
    public String label() { return label; }
}

package org.tuneless.data;

/** A data file is missing, unreadable or malformed. The message names the file, the problem and what to do about it. */
public class DataFormatException extends RuntimeException {

    public DataFormatException(String message) { super(message); }

    public DataFormatException(String message, Throwable cause) { super(message, cause); }
}

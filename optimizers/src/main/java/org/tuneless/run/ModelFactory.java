package org.tuneless.run;

import org.tuneless.nn.Network;

/** Builds a model for the data it trains on: per-example input shape, number of classes (vocabulary for text), text or not. */
@FunctionalInterface
public interface ModelFactory {
    Network.Builder build(long[] input, int classes, boolean text);
}

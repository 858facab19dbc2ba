package org.tuneless.tensor;

/** What a parameter tensor is for; optimizers such as AGD treat weights, biases and gains differently. */
public enum ParamRole { WEIGHT, BIAS, GAIN }
